package schema

// The codes below are every value the "code" of an Item takes, by the
// field that holds it; TestCodesDocumented fails when the analysis or the
// rewrite has one that is not here.

// The codes of why a function is left out (Func.Reason) or a group of
// fields keeps its type (FieldGroup.Reason): "skip".
const (
	// SkipTestFile: the function is in a test file.
	SkipTestFile = "test-file"
	// SkipMain: a main function.
	SkipMain = "main-function"
	// SkipInit: an init function.
	SkipInit = "init-function"
	// SkipGenerated: the function is in a generated file, which is never
	// edited.
	SkipGenerated = "generated-file"
	// SkipCgo: the function is in a file that uses cgo.
	SkipCgo = "cgo-file"
	// SkipNoBody: a function declared without a body (assembly, linkname).
	SkipNoBody = "no-body"
	// SkipOutsideInterface: the method implements an interface from
	// outside the module (io.Reader, sql/driver), whose signature is fixed.
	SkipOutsideInterface = "outside-interface"
	// SkipNameTaken: the name of the ctx form (FooContext) is taken.
	SkipNameTaken = "name-taken"
	// SkipExportedIface: a method of an exported interface of the module,
	// which keeps its methods so as not to break implementations outside
	// it.
	SkipExportedIface = "exported-interface-method"
	// SkipIfaceUnit: the method implements a module interface that cannot
	// change.
	SkipIfaceUnit = "interface-cannot-change"
	// SkipNotCancellable: a ctx form could not be cancelled: the context
	// would reach none of what the function waits on.
	SkipNotCancellable = "not-cancellable"
	// SkipLinked: a file the change needs is a symbolic link, never
	// written through.
	SkipLinked = "symlinked-file"
	// SkipDeprecated: an exported function documented Deprecated, which
	// gets no new ctx form.
	SkipDeprecated = "deprecated"
	// SkipFieldKeepsSignature: a group of function-valued fields keeps its
	// type (FieldGroup.Reason only).
	SkipFieldKeepsSignature = "field-keeps-signature"
)

// The codes of a unit's risks (Unit.Risks): "risk".
const (
	// RiskExportedAPI: the unit is part of the module's public API.
	RiskExportedAPI = "exported-api"
	// RiskUsedAsValue: a function of the unit is used as a value (stored,
	// passed), which keeps calling the sync form.
	RiskUsedAsValue = "used-as-value"
	// RiskImplements: the unit's method implements the interface the
	// message names.
	RiskImplements = "implements"
	// RiskAlsoDeclared: the function is also declared in the file the
	// message names (another build tag or GOOS).
	RiskAlsoDeclared = "also-declared"
	// RiskCallback: the unit passes a function as a callback; its ctx form
	// passes a closure over ctx, which must not outlive the call.
	RiskCallback = "callback"
	// RiskSyncInterface: the unit calls through an exported interface,
	// which stays sync.
	RiskSyncInterface = "sync-interface-call"
	// RiskIfaceUnit: an unexported interface of the module changes with
	// the unit.
	RiskIfaceUnit = "interface-unit"
	// RiskPartial: the ctx will reach only some of what the unit waits on.
	RiskPartial = "partly-cancellable"
	// RiskDetached: work the unit starts outlives the call (a goroutine):
	// it gets context.WithoutCancel(ctx), the caller's values without its
	// cancellation.
	RiskDetached = "detached"
	// RiskOwnCtx: the unit takes its context from elsewhere (ctx :=
	// opts.ctx).
	RiskOwnCtx = "own-context"
	// RiskGenerated: a generated file calls the unit, and keeps calling
	// its sync form.
	RiskGenerated = "generated-caller"
	// RiskPromoted: a type that embeds the unit's receiver declares its
	// own method of the same name; the new ctx form is promoted to it and
	// bypasses that method.
	RiskPromoted = "promoted"
)

// The codes of what a rewrite did (Rewrite.Items): "rewrite".
const (
	// RewriteRewritten: an operation made context-aware.
	RewriteRewritten = "rewritten"
	// RewriteLeft: an operation or call left as it is; the message says
	// why.
	RewriteLeft = "left"
	// RewriteTODO: a call site given context.TODO().
	RewriteTODO = "todo"
	// RewriteMoved: a call site that had a context now calls a ctx form.
	RewriteMoved = "moved"
	// RewriteOffloaded: a ctx form whose body runs in a goroutine until its
	// callees are migrated (--offload).
	RewriteOffloaded = "offloaded"
	// RewriteUnwrapped: an offload the phase removes.
	RewriteUnwrapped = "unwrapped"
	// RewriteRenamed: a variable renamed so that the ctx parameter is ctx.
	RewriteRenamed = "renamed"
)

// The code of FieldGroup.Unresolved.
const (
	// Unresolved: a store into the fields the analysis cannot follow.
	Unresolved = "unresolved"
)
