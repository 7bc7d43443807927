// Package strategies orders the units of a migration into phases.
//
// A strategy is a pure function from the analysed module (a Graph of
// units) to a Plan: it does no I/O and never sees a syntax tree, so it is
// deterministic and cheap to test.
//
// The API is usable from outside the module: a strategy reads its units
// through the Unit interface, which smartmigrate's analysis implements
// without copying its units, and which Node implements for anyone else.
package strategies

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
)

// Unit is what a strategy reads of a unit to migrate: the analysis's
// units are read in place, never copied (*analysis.Unit is one), and Node
// is one for callers outside the module and for tests.
type Unit interface {
	// UnitID is the qualified name of the unit's lead function, for
	// example "example.com/shop/api.(*Client).Fetch". IDs are unique in a
	// Graph.
	UnitID() string
	// IsExported reports whether the unit is part of the module's public
	// API.
	IsExported() bool
	// CalleeIDs are the IDs of the units to migrate that this unit calls.
	CalleeIDs() []string
	// FuncIDs are the qualified names of every function in the unit
	// (several for an interface method with its implementations).
	FuncIDs() []string
	// StaticScore is the unit's heat without a profile: the blocking
	// operations it reaches plus its call sites.
	StaticScore() int
	// PackagePath is the import path of the package that declares the
	// unit's lead function: a phase split by MaxUnits keeps the units of
	// one package together where they fit.
	PackagePath() string
}

// Requirer is a Unit that must be migrated in the same phase as other
// units: a function stored into a function-valued field whose type
// changes, with the other functions stored there. Every strategy keeps
// such units in one phase (as it keeps a call cycle), so that each phase
// still builds on its own.
type Requirer interface {
	Unit
	// RequiredIDs are the IDs of the units that must be in the same
	// phase.
	RequiredIDs() []string
}

// Node is a Unit given by its values.
type Node struct {
	ID       string
	Funcs    []string
	Exported bool
	Callees  []string
	Score    int
	// Package is the unit's package path.
	Package string
	// Requires are the IDs of units that must be in the same phase.
	Requires []string
}

// RequiredIDs implements Requirer.
func (n *Node) RequiredIDs() []string { return n.Requires }

// UnitID implements Unit.
func (n *Node) UnitID() string { return n.ID }

// IsExported implements Unit.
func (n *Node) IsExported() bool { return n.Exported }

// CalleeIDs implements Unit.
func (n *Node) CalleeIDs() []string { return n.Callees }

// FuncIDs implements Unit.
func (n *Node) FuncIDs() []string { return n.Funcs }

// StaticScore implements Unit.
func (n *Node) StaticScore() int { return n.Score }

// PackagePath implements Unit.
func (n *Node) PackagePath() string { return n.Package }

// Graph is the analysed module as the strategies see it: the units that
// remain to be migrated and the calls between them.
type Graph struct {
	Units []Unit
}

// Phase is a set of units applied as one patch.
type Phase struct {
	// ID names the phase for people and scripts (see PhaseID): the plan,
	// apply, the journal, commit messages and revert all use it, and it
	// stays the same while other phases are applied, where a position in
	// the plan would shift.
	ID string
	// Reason says why these units are together and in this place.
	Reason string
	// Units are sorted by ID.
	Units []Unit
}

// PhaseID is the ID of the phase made of the units named ids, in any
// order: the first 7 hex digits of the sha256 of the sorted IDs, one per
// line. It depends on the phase's content only, so the same units get the
// same ID in every plan that groups them so, whatever comes before them.
func PhaseID(ids []string) string {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	h := sha256.New()
	for _, id := range sorted {
		h.Write([]byte(id))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))[:IDLen]
}

// IDLen is the length of a phase ID.
const IDLen = 7

// Plan is the ordered phases chosen by a strategy.
type Plan struct {
	Strategy string
	Phases   []Phase
	// Notes are strategy-level remarks (for example a profile that matched
	// nothing, or what offloading does).
	Notes []string
	// Offloaded are the IDs of the units whose ctx form runs its sync body
	// in a goroutine until their callees are migrated (see Offload).
	Offloaded map[string]bool
}

// DefaultMaxUnits is the bound on a phase's units that the commands use
// unless told otherwise (--max-units): about what a reviewer reads in one
// sitting, a ctx form and a shim for each unit. The design bounds every
// phase so that its patch stays reviewable; the largest phase of the real
// modules measured so far has 25 units, so the bound splits only layers
// of hundreds of functions, where a single patch would not be read.
const DefaultMaxUnits = 50

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

// GraphOf is the graph of units, read in place.
func GraphOf[U Unit](units []U) Graph {
	g := Graph{Units: make([]Unit, len(units))}
	for i, u := range units {
		g.Units[i] = u
	}
	return g
}
