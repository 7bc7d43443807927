// Package strategies orders the units of a migration into phases.
//
// A strategy is a pure function from the analysed module (a Graph of plain
// values) to a Plan: it does no I/O and never sees a syntax tree, so it is
// deterministic and cheap to test.
package strategies

// Kind says how a unit is changed.
type Kind string

const (
	// Sibling adds FooContext next to Foo and keeps Foo as a sync shim.
	Sibling Kind = "sibling"
	// InPlace adds ctx as the first parameter and updates every call site.
	InPlace Kind = "in-place"
	// Finalize marks a shim for go fix (//go:fix inline), moves its
	// in-module callers to the ctx form, or removes it. Only the finalize
	// phase has such units.
	Finalize Kind = "finalize"
)

// Unit is a set of declarations that must change together, as the
// strategies see it.
type Unit struct {
	// ID is the qualified name of the unit's lead function, for example
	// "example.com/shop/api.(*Client).Fetch". IDs are unique in a Graph.
	ID string `json:"id"`
	// Funcs are the qualified names of every function in the unit
	// (several for an interface method with its implementations).
	Funcs []string `json:"funcs,omitempty"`
	// Package is the import path of the unit's package.
	Package string `json:"package"`
	// Kind is how the unit is changed.
	Kind Kind `json:"kind"`
	// Exported is true when the unit is part of the module's public API.
	Exported bool `json:"exported"`
	// Root is true when no other unit to migrate calls this one.
	Root bool `json:"root,omitempty"`
	// Callees are the IDs of the units to migrate that this unit calls.
	Callees []string `json:"callees,omitempty"`
	// Sink describes the first sink the unit reaches, as "call at file:line".
	Sink string `json:"sink,omitempty"`
	// SinkCalls counts the sink calls the unit reaches, itself and through
	// callees; it is the static heat.
	SinkCalls int `json:"sinkCalls,omitempty"`
	// Callers counts the call sites in the module that call the unit.
	Callers int `json:"callers,omitempty"`
	// Risks are short notes for the reviewer ("exported API", "used as a value").
	Risks []string `json:"risks,omitempty"`
}

// Graph is the analysed module as the strategies see it: the units that
// remain to be migrated and the calls between them.
type Graph struct {
	Units []Unit `json:"units"`
}

// Phase is a set of units applied as one patch.
type Phase struct {
	// Number counts phases from 1.
	Number int `json:"number"`
	// Reason says why these units are together and in this place.
	Reason string `json:"reason"`
	// Units are in a stable order.
	Units []Unit `json:"units"`
}

// Plan is the ordered phases chosen by a strategy.
type Plan struct {
	Strategy string  `json:"strategy"`
	Phases   []Phase `json:"phases"`
	// Notes are strategy-level remarks (for example a profile that matched
	// nothing, or what offloading does).
	Notes []string `json:"notes,omitempty"`
}

// Options tune a strategy.
type Options struct {
	// MaxUnits bounds the number of units in one phase; 0 means no bound.
	MaxUnits int
	// Heat maps a function's qualified name to its weight in a profile
	// (flat+cum samples, any unit). Used by critical-path; nil means use the
	// static score.
	Heat map[string]int64
}

// Strategy turns a Graph into a Plan.
type Strategy interface {
	// Name is the value of --strategy that selects it.
	Name() string
	// Plan orders g's units into phases. It must be deterministic.
	Plan(g Graph, opts Options) (Plan, error)
}
