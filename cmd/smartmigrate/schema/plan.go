package schema

// Plan is what plan --json prints: the module as the analysis found it
// and the phases of the migration in the strategy's order.
type Plan struct {
	Version int `json:"version"`
	// Module is the module path.
	Module string `json:"module"`
	// Strategy is bottom-up, top-down or critical-path.
	Strategy string `json:"strategy"`
	// Summary counts the module's functions.
	Summary Summary `json:"summary"`
	// Phases are in the order apply takes them.
	Phases []Phase `json:"phases"`
	// Notes are remarks of the strategy (a profile that matched nothing,
	// what --offload does).
	Notes []string `json:"notes"`
	// LeftOut are the blocking functions the migration leaves alone, each
	// with why.
	LeftOut []Func `json:"leftOut"`
	// SyncInterfaces are the blocking methods of the module's exported
	// interfaces: the interfaces keep them as they are.
	SyncInterfaces []Func `json:"syncInterfaces"`
	// Interfaces are the module's exported interfaces with blocking
	// methods, and what the migration does around them.
	Interfaces []Interface `json:"interfaces"`
	// Fields are the groups of function-valued fields the module calls
	// through.
	Fields []FieldGroup `json:"fields"`
	// Warnings are what the text output prints as warnings (packages left
	// out because they do not type-check, ...).
	Warnings []string `json:"warnings"`
}

// Summary counts the module's functions (outside test files).
type Summary struct {
	// ContextAware counts the functions that take a context or have a
	// ctx form (Foo beside FooContext counts once), and HTTP handlers.
	ContextAware int `json:"contextAware"`
	// Blocking counts the blocking functions without a context: ToMigrate
	// of them are in the plan's units, LeftOut are left alone.
	Blocking int `json:"blocking"`
	// ToMigrate counts those of Blocking that are in the plan's units.
	ToMigrate int `json:"toMigrate"`
	// LeftOut counts those of Blocking that are left alone (see
	// Plan.LeftOut).
	LeftOut int `json:"leftOut"`
	// Units counts the units to migrate (a unit is a function, or the
	// functions of a call cycle, that one phase migrates whole).
	Units int `json:"units"`
	// Cancellable counts the functions that take a context by how far it
	// reaches what they wait on.
	Cancellable Cancellable `json:"cancellable"`
	// Skipped counts the functions left out by reason, sorted by code
	// (the codes of Func.Reason).
	Skipped []CodeCount `json:"skipped"`
}

// Cancellable counts functions by how far their context reaches: to
// everything they wait on, to some of it, to none of it.
type Cancellable struct {
	// Full counts the functions whose context reaches everything they wait
	// on.
	Full int `json:"full"`
	// Partial counts those whose context reaches some of it.
	Partial int `json:"partial"`
	// None counts those whose context reaches none of it.
	None int `json:"none"`
}

// CodeCount is how many items have a code.
type CodeCount struct {
	// Code is the code.
	Code string `json:"code"`
	// Label is the code in words, as the text output prints it.
	Label string `json:"label"`
	// Count is how many items have it.
	Count int `json:"count"`
}

// Phase is a phase of a plan: units that one patch migrates.
type Phase struct {
	// ID names the phase: the first 7 hex digits of the sha256 of its
	// units' IDs, sorted, one a line. It depends on the units only, so a
	// phase keeps it while the phases before it are applied and the plan
	// is made again. apply --phase, --through and revert --phase take it
	// (or its first 4 or more digits); the journal and commit messages
	// use it.
	ID string `json:"id"`
	// Reason says why these units are together and in this place.
	Reason string `json:"reason"`
	// Units are sorted by ID.
	Units []Unit `json:"units"`
}

// Unit is a unit to migrate.
type Unit struct {
	// ID is the qualified name of its lead function.
	ID string `json:"id"`
	// Funcs are the qualified names of all its functions: several for a
	// call cycle.
	Funcs []string `json:"funcs"`
	// Package is the import path of its package.
	Package string `json:"package"`
	// Kind is how it changes: "sibling" (a FooContext beside Foo, which
	// stays as its shim) or "in-place" (ctx becomes its first parameter).
	Kind string `json:"kind"`
	// Exported is true when it is part of the module's public API.
	Exported bool `json:"exported"`
	// Root is true when no unit left to migrate calls it.
	Root bool `json:"root"`
	// Callees are the IDs of the units it calls.
	Callees []string `json:"callees"`
	// Sink is the first blocking operation it reaches.
	Sink Sink `json:"sink"`
	// SinkCalls counts the calls in its bodies that become context-aware.
	SinkCalls int `json:"sinkCalls"`
	// Callers counts the call sites of it in the module.
	Callers int `json:"callers"`
	// Risks are what a reviewer should know (codes under Codes, "risk").
	Risks []Item `json:"risks"`
	// Offloaded is true when its ctx form runs the sync body in a
	// goroutine (top-down --offload); omitted when false.
	Offloaded bool `json:"offloaded,omitempty"`
	// Reach is how far its ctx will reach what it waits on: "full",
	// "partial" or "none". Honoured are the blocking operations the ctx
	// will reach, Missed those it will not, each with why.
	Reach string `json:"reach"`
	// Honoured are the blocking operations of its bodies the ctx will
	// reach.
	Honoured []Op `json:"honoured"`
	// Missed are those the ctx will not reach, each with why.
	Missed []Op `json:"missed"`
}

// Op is a blocking operation in a function's body.
type Op struct {
	// Op is the operation ("(net.Conn).Read", "time.Sleep", "channel
	// receive").
	Op string `json:"op"`
	// Wait is the kind of wait: "conn-io", "sleep", "channel-receive",
	// "channel-send", "select" or "wait"; omitted for a call that has a
	// context-aware form.
	Wait string `json:"wait,omitempty"`
	// Pos is where the operation is.
	Pos Position `json:"pos"`
	// Why says why the ctx will not reach it; omitted when it will.
	Why string `json:"why,omitempty"`
}

// Func is a blocking function left out of the migration, or a blocking
// method of an exported interface.
type Func struct {
	// ID is its qualified name.
	ID string `json:"id"`
	// Pos is its name in its declaration.
	Pos Position `json:"pos"`
	// Reason is why it is left out (codes under Codes, "skip").
	Reason Item `json:"reason"`
	// Sink is the blocking operation it reaches; omitted when the
	// analysis has none to name.
	Sink *Sink `json:"sink,omitempty"`
}

// Interface is an exported interface of the module whose methods block.
type Interface struct {
	// Name is its qualified name.
	Name string `json:"name"`
	// Pos is its name in its declaration.
	Pos Position `json:"pos"`
	// Methods are its blocking methods, which it keeps.
	Methods []string `json:"methods"`
	// Optional is the optional interface apply --upgrade-interfaces
	// declares beside it, with the methods' ctx forms; omitted when that
	// name is taken.
	Optional string `json:"optional,omitempty"`
	// Implementations are the module's types that implement it.
	Implementations []string `json:"implementations"`
	// Calls are the calls through it in functions to migrate, which use
	// the ctx form when the value has one (--upgrade-interfaces).
	Calls []Position `json:"calls"`
	// Callers are the IDs of the functions Calls are in.
	Callers []string `json:"callers"`
}

// FieldGroup is a group of function-valued fields the module calls
// through and stores the same functions in: they change type together,
// or keep it together.
type FieldGroup struct {
	// Fields are their qualified names, lead first.
	Fields []string `json:"fields"`
	// Pos is where the lead field is declared.
	Pos Position `json:"pos"`
	// Migrates is true when their type gains a ctx parameter, in the phase
	// of Carriers.
	Migrates bool `json:"migrates"`
	// Done is true when their type takes a ctx already; omitted when
	// false.
	Done bool `json:"done,omitempty"`
	// Reason is why they keep their type (codes under Codes, "skip");
	// omitted when they migrate.
	Reason *Item `json:"reason,omitempty"`
	// CtxField is, for exported fields that migrate, the ctx field written
	// beside them (the fields keep their type); omitted otherwise.
	CtxField string `json:"ctxField,omitempty"`
	// Unresolved is the first store into the fields the analysis cannot
	// follow (code "unresolved"); omitted when there is none.
	Unresolved *Item `json:"unresolved,omitempty"`
	// Values counts the functions stored into them.
	Values int `json:"values"`
	// Adapted counts the stored functions the ctx does not reach (wrapped,
	// or beside a nil ctx field).
	Adapted int `json:"adapted"`
	// Calls counts the calls through them.
	Calls int `json:"calls"`
	// Carriers are the IDs of the units whose phase changes the fields.
	Carriers []string `json:"carriers"`
}
