package analysis

import (
	"fmt"
	"sort"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/parallel"
)

// Unit is a set of declarations that must change together.
type Unit struct {
	// ID is the lead function's ID.
	ID string
	// Funcs are every function of the unit, lead first.
	Funcs []*Func
	// Package is the lead function's import path.
	Package string
	Kind    Kind
	// Exported is true when the unit is part of the public API.
	Exported bool
	// Callees are the units this unit calls, sorted by ID.
	Callees []*Unit
	// Callers are the units that call this unit, sorted by ID.
	Callers []*Unit
	// Via is the first blocking operation the unit reaches.
	Via Via
	// SinkCalls counts the blocking operations reached (saturating): the
	// static heat.
	SinkCalls int
	// CallSites counts the call sites that call the unit.
	CallSites int
	// Risks are notes for the reviewer.
	Risks []Risk
	// Groups are the function-valued fields whose type this unit's phase
	// changes (it stores a function into them); Requires the other units
	// that must be in the same phase for that, sorted by ID.
	Groups   []*FieldGroup
	Requires []*Unit
}

// RequiredIDs are the IDs of the units that must be migrated in the same
// phase as this one (strategies.Requirer).
func (u *Unit) RequiredIDs() []string {
	out := make([]string, len(u.Requires))
	for i, r := range u.Requires {
		out[i] = r.ID
	}
	return out
}

// Lead is the unit's first function.
func (u *Unit) Lead() *Func { return u.Funcs[0] }

// UnitID is the unit's ID (the strategies' key).
func (u *Unit) UnitID() string { return u.ID }

// IsExported reports whether the unit is part of the public API.
func (u *Unit) IsExported() bool { return u.Exported }

// CalleeIDs are the IDs of the units the unit calls.
func (u *Unit) CalleeIDs() []string {
	out := make([]string, len(u.Callees))
	for i, c := range u.Callees {
		out[i] = c.ID
	}
	return out
}

// FuncIDs are the IDs of the unit's functions, lead first.
func (u *Unit) FuncIDs() []string {
	out := make([]string, len(u.Funcs))
	for i, f := range u.Funcs {
		out[i] = f.ID
	}
	return out
}

// StaticScore is the unit's heat without a profile: the blocking
// operations it reaches plus its call sites.
func (u *Unit) StaticScore() int { return u.SinkCalls + u.CallSites }

// PackagePath implements strategies.Unit.
func (u *Unit) PackagePath() string { return u.Package }

// Honoured are the blocking operations in the unit's bodies that its ctx
// will reach; Missed those it will not.
func (u *Unit) Honoured() []*Op { return u.ops(true) }

// Missed are the blocking operations in the unit's bodies that its ctx
// will not reach (Op.Stuck says why).
func (u *Unit) Missed() []*Op { return u.ops(false) }

func (u *Unit) ops(cancellable bool) []*Op {
	var out []*Op
	for _, f := range u.Funcs {
		for _, o := range f.Ops {
			if o.Blocks() && o.Cancellable() == cancellable {
				out = append(out, o)
			}
		}
	}
	return out
}

// formUnits groups the blocking functions into units: every blocking
// method of an interface that is not exported with its implementations,
// and every other blocking function that is not left alone on its own.
func (m *Model) formUnits() {
	for _, members := range interfaceUnits(m.Funcs) {
		if !members[0].Skip.IsZero() || m.unitOf[members[0]] != nil {
			continue
		}
		m.addUnit(&Unit{Kind: InPlace}, members)
	}
	for _, f := range m.Funcs {
		if !f.Blocking || !f.Skip.IsZero() || f.InterfaceMethod || f.Closure != nil || m.unitOf[f] != nil {
			continue
		}
		m.addUnit(&Unit{Kind: f.Kind}, []*Func{f})
	}
	sort.Slice(m.Units, func(i, j int) bool { return m.Units[i].ID < m.Units[j].ID })
	m.countCallers()
	m.embedders = embedders(m.Funcs)
	// A description writes only its unit; the links back come after, in
	// the units' order.
	_ = parallel.ForEach(len(m.Units), 0, func(i int) error {
		m.describeUnit(m.Units[i])
		return nil
	})
	for _, u := range m.Units {
		for _, cu := range u.Callees {
			cu.Callers = append(cu.Callers, u)
		}
	}
	m.countSinks()
	m.carryGroups()
}

func (m *Model) addUnit(u *Unit, members []*Func) {
	u.ID, u.Package, u.Funcs = members[0].ID, members[0].Package, members
	for _, f := range members {
		m.unitOf[f] = u
	}
	m.Units = append(m.Units, u)
}

// countCallers counts every function's call sites, and links the units.
func (m *Model) countCallers() {
	for _, f := range m.Funcs {
		for _, c := range f.Calls {
			for _, t := range c.Targets() {
				t.Callers++
			}
		}
	}
}

func (m *Model) describeUnit(u *Unit) {
	lead := u.Lead()
	u.Via = lead.Via
	callees := map[*Unit]bool{}
	var risks []Risk
	if lead.InterfaceMethod {
		u.CallSites = lead.Callers // calls through the interface count once
	}
	for _, f := range u.Funcs {
		if !lead.InterfaceMethod {
			u.CallSites += f.Callers
		}
		if u.Via.Call == "" {
			u.Via = f.Via
		}
		u.Exported = u.Exported || f.Exported && f.Importable
		risks = append(risks, funcRisks(m, f)...)
		if f.Decl != nil {
			for _, c := range m.ClosuresIn(f.Decl) {
				risks = append(risks, closureRisks(c)...)
			}
		}
		for _, c := range f.Calls {
			for _, t := range c.Targets() {
				for _, cu := range m.calleeUnits(t) {
					if cu != u {
						callees[cu] = true
					}
				}
			}
		}
	}
	if u.Exported {
		risks = append([]Risk{{Code: RiskExportedAPI}}, risks...)
	}
	if len(u.Funcs) > 1 && lead.InterfaceMethod {
		risks = append(risks, Risk{Code: RiskIfaceUnit, Detail: fmt.Sprintf("%d implementations", len(u.Funcs)-1)})
	}
	if lead.Reach() == ReachPartial && !lead.stuckIface {
		risks = append(risks, Risk{Code: RiskPartial, Detail: lead.Stuck.Explain(), At: lead.Stuck.At})
	}
	u.Risks = dedupeRisks(risks)
	for cu := range callees {
		u.Callees = append(u.Callees, cu)
	}
	sort.Slice(u.Callees, func(i, j int) bool { return u.Callees[i].ID < u.Callees[j].ID })
}

// calleeUnits are the units a call to t migrates: t's, or for a closure
// stored into a func field (no unit of its own), those of what it calls.
func (m *Model) calleeUnits(t *Func) []*Unit {
	if u := m.unitOf[t]; u != nil {
		return []*Unit{u}
	}
	if t.Closure == nil {
		return nil
	}
	var out []*Unit
	for _, c := range t.Calls {
		if u := m.unitOf[c.Callee]; u != nil && !c.Detached {
			out = append(out, u)
		}
	}
	return out
}

// funcRisks are the notes for the reviewer that one function of a unit
// brings.
func funcRisks(m *Model, f *Func) []Risk {
	var risks []Risk
	if f.UsedAsValue {
		risks = append(risks, Risk{Code: RiskUsedAsValue})
	}
	for _, i := range f.Interfaces {
		risks = append(risks, Risk{Code: RiskImplements, Detail: i.Short()})
	}
	if len(f.Also) > 0 {
		var files []string
		for _, p := range f.Also {
			files = append(files, m.Position(p).File)
		}
		risks = append(risks, Risk{Code: RiskAlsoDeclared, Detail: strings.Join(files, ", ")})
	}
	for _, o := range f.Ops {
		if o.Rule.Rewrite == RewriteCallback {
			risks = append(risks, Risk{Code: RiskCallback, Detail: ShortName(o.Rule.Call), At: o.At})
		}
	}
	for _, file := range f.GeneratedCallers {
		risks = append(risks, Risk{Code: RiskGenerated, Detail: file})
	}
	for _, id := range f.ownCtx {
		risks = append(risks, Risk{Code: RiskOwnCtx, Detail: id.Name, At: m.Position(id.Pos())})
	}
	for _, g := range m.overriders(f) {
		risks = append(risks, Risk{Code: RiskPromoted, Detail: ShortName(g.ID), At: g.At})
	}
	for _, o := range f.Ops {
		switch {
		case o.Detached && o.Rule.Rewrite == RewriteBackground:
			risks = append(risks, Risk{Code: RiskDetached, Detail: "the context from " + ShortName(o.Rule.Call), At: o.At})
		case o.Detached:
			risks = append(risks, Risk{Code: RiskDetached, Detail: "code that calls " + ShortName(o.Rule.Call), At: o.At})
		}
	}
	for _, c := range f.Calls {
		if c.Detached && c.Callee.Blocking && c.Callee.Kind == InPlace {
			risks = append(risks, Risk{Code: RiskDetached, Detail: "the call to " + ShortName(c.Callee.ID), At: c.At})
		}
		if c.Value && c.Callee.Blocking {
			risks = append(risks, Risk{Code: RiskCallback, Detail: ShortName(c.Callee.ID), At: c.At})
		}
		if c.Iface != nil && c.Iface.Exported && c.Callee.Blocking {
			risks = append(risks, Risk{Code: RiskSyncInterface, Detail: c.Iface.Short(), At: c.At})
		}
	}
	return risks
}

// closureRisks note the calls of a closure the function stores, which
// get context.WithoutCancel(ctx).
func closureRisks(c *Func) []Risk {
	var risks []Risk
	for _, call := range c.Calls {
		if call.Callee.Blocking && call.Callee.Kind == InPlace {
			risks = append(risks, Risk{Code: RiskDetached, Detail: "the call to " + ShortName(call.Callee.ID) + " in a closure it stores", At: call.At})
		}
	}
	return risks
}

func dedupeRisks(rs []Risk) []Risk {
	seen := map[Risk]bool{}
	var out []Risk
	for _, r := range rs {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// countSinks gives every unit its static heat: its own blocking operations
// plus its callees' heat (each strongly connected component counted once
// along a path; saturating).
func (m *Model) countSinks() {
	const limit = 1 << 30
	own := map[*Unit]int{}
	for _, u := range m.Units {
		for _, f := range u.Funcs {
			for _, o := range f.Ops {
				if o.Blocks() {
					own[u]++
				}
			}
		}
	}
	state := map[*Unit]int{} // 1 in progress, 2 done
	var visit func(u *Unit) int
	visit = func(u *Unit) int {
		switch state[u] {
		case 1:
			return 0
		case 2:
			return u.SinkCalls
		}
		state[u] = 1
		n := own[u]
		for _, c := range u.Callees {
			n = min(n+visit(c), limit)
		}
		u.SinkCalls, state[u] = n, 2
		return n
	}
	for _, u := range m.Units {
		visit(u)
	}
}
