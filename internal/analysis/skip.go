package analysis

import "fmt"

// SkipCode says why a blocking function is left alone.
type SkipCode string

// The reasons a function is left alone. They are part of the JSON output.
const (
	SkipTestFile         SkipCode = "test-file"
	SkipMain             SkipCode = "main-function"
	SkipInit             SkipCode = "init-function"
	SkipGenerated        SkipCode = "generated-file"
	SkipCgo              SkipCode = "cgo-file"
	SkipNoBody           SkipCode = "no-body"
	SkipOutsideInterface SkipCode = "outside-interface"
	SkipNameTaken        SkipCode = "name-taken"
	SkipExportedIface    SkipCode = "exported-interface-method"
	SkipIfaceUnit        SkipCode = "interface-cannot-change"
	SkipNotCancellable   SkipCode = "not-cancellable"
	// SkipLinked: a file the unit would change is a symbolic link, and
	// smartmigrate never writes through one (migrate decides it, from the
	// files on disk; Model.LeaveOut records it).
	SkipLinked SkipCode = "symlinked-file"
	// SkipDeprecated: an exported function documented Deprecated, which
	// gets no new exported ctx form.
	SkipDeprecated SkipCode = "deprecated"
	// SkipFieldKeepsSignature: a function-valued field (with the fields
	// and parameters it shares values with) keeps its type, so calls
	// through it pass no ctx; Detail says why. It is a FieldGroup's
	// reason, never a function's.
	SkipFieldKeepsSignature SkipCode = "field-keeps-signature"
)

// Skip is why a function is left alone: a code and what it is about.
type Skip struct {
	Code SkipCode
	// Detail completes the code: the interface that fixes the signature
	// ("io.Reader"), what took the ctx form's name, the implementation
	// that keeps an interface from changing.
	Detail string
}

// IsZero reports whether s says nothing (the function is not left alone).
func (s Skip) IsZero() bool { return s.Code == "" }

// Label names the code for people, as summaries count it.
func (c SkipCode) Label() string {
	switch c {
	case SkipTestFile:
		return "in a test file"
	case SkipMain:
		return "main function"
	case SkipInit:
		return "init function"
	case SkipGenerated:
		return "generated file"
	case SkipCgo:
		return "cgo file"
	case SkipNoBody:
		return "no Go body"
	case SkipOutsideInterface:
		return "signature fixed by an outside interface"
	case SkipNameTaken:
		return "ctx-form name taken"
	case SkipExportedIface:
		return "method of an exported interface"
	case SkipIfaceUnit:
		return "interface cannot change"
	case SkipNotCancellable:
		return "ctx could reach no wait"
	case SkipLinked:
		return "file is a symbolic link"
	case SkipDeprecated:
		return "deprecated"
	case SkipFieldKeepsSignature:
		return "func field keeps its signature"
	}
	return string(c)
}

// String is the reason in full, for people.
func (s Skip) String() string {
	switch s.Code {
	case SkipOutsideInterface:
		return "signature fixed by " + s.Detail
	case SkipNameTaken, SkipIfaceUnit, SkipLinked, SkipFieldKeepsSignature:
		return s.Detail
	case SkipDeprecated:
		return "documented Deprecated: it gets no new exported ctx form"
	case SkipExportedIface:
		return "method of an exported interface: it never changes; calls through it use the ctx form when the value has one (apply --upgrade-interfaces also names the optional interface)"
	case SkipNotCancellable:
		return "a ctx form could not be cancelled: its ctx would not reach " + s.Detail
	}
	return s.Code.Label()
}

// RiskCode names a note for the reviewer of a unit.
type RiskCode string

// The risks a unit may carry. They are part of the JSON output.
const (
	RiskExportedAPI   RiskCode = "exported-api"
	RiskUsedAsValue   RiskCode = "used-as-value"
	RiskImplements    RiskCode = "implements"
	RiskAlsoDeclared  RiskCode = "also-declared"
	RiskCallback      RiskCode = "callback"
	RiskSyncInterface RiskCode = "sync-interface-call"
	RiskIfaceUnit     RiskCode = "interface-unit"
	RiskPartial       RiskCode = "partly-cancellable"
	RiskDetached      RiskCode = "detached"
	RiskOwnCtx        RiskCode = "own-context"
	RiskGenerated     RiskCode = "generated-caller"
	RiskPromoted      RiskCode = "promoted"
)

// Risk is a note for the reviewer of a unit.
type Risk struct {
	Code RiskCode
	// Detail is what the risk is about: an interface, a callee, files.
	Detail string
	// At is where, when the risk has a place.
	At Position
}

// String is the risk for people.
func (r Risk) String() string {
	switch r.Code {
	case RiskExportedAPI:
		return "exported API"
	case RiskUsedAsValue:
		return "used as a value"
	case RiskImplements:
		return "implements " + r.Detail
	case RiskAlsoDeclared:
		return "also declared in " + r.Detail
	case RiskCallback:
		return fmt.Sprintf("passes %s as a callback at %s: its ctx form passes a closure over ctx, which must not outlive the call", r.Detail, r.At.Short())
	case RiskSyncInterface:
		return fmt.Sprintf("call through exported interface %s at %s uses the ctx form when the value has one, the sync method otherwise (apply --upgrade-interfaces also names the optional interface)", r.Detail, r.At.Short())
	case RiskIfaceUnit:
		return fmt.Sprintf("unexported interface changes with %s", r.Detail)
	case RiskPartial:
		return fmt.Sprintf("partly cancellable: its ctx does not reach %s", r.Detail)
	case RiskDetached:
		return fmt.Sprintf("%s at %s outlives the call: it gets context.WithoutCancel(ctx), the caller's values without its cancellation", r.Detail, r.At.Short())
	case RiskGenerated:
		return fmt.Sprintf("called from %s, a generated file the migration never edits: it gets a ctx form and keeps its sync form for it", r.Detail)
	case RiskPromoted:
		return fmt.Sprintf("%s at %s, in a type that embeds the receiver, overrides it: the ctx form is promoted to that type too, and a call of it there does not go through %s", r.Detail, r.At.Short(), r.Detail)
	case RiskOwnCtx:
		return fmt.Sprintf("a context of its own (%s at %s) is what its calls get: the caller's ctx does not reach them unless the code derives one from the other", r.Detail, r.At.Short())
	}
	return string(r.Code)
}
