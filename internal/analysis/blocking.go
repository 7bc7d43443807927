package analysis

import (
	"fmt"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/load"
)

// Analyze finds what blocks in m and groups it into units.
func Analyze(m *load.Module) (*Result, error) {
	b := &builder{
		mod:    m,
		res:    &Result{Module: m.Path, GoVersion: m.GoVersion, byID: map[string]*Func{}},
		byKey:  map[string]*Func{},
		objs:   map[*Func]*types.Func{},
		msets:  map[*types.Named]*types.MethodSet{},
		sigs:   map[types.Type]string{},
		sinks:  newSinkFinder(),
		ifaces: map[string]*moduleIface{},
	}
	b.indexFiles()
	b.walkBodies()
	b.resolveInterfaces()
	b.countCallers()
	b.propagate()
	b.formUnits()
	sort.Slice(b.res.Funcs, func(i, j int) bool { return b.res.Funcs[i].ID < b.res.Funcs[j].ID })
	return b.res, nil
}

// done reports whether f already has a context: it takes one, its ctx
// form exists, or it is an HTTP handler.
func (f *Func) done() bool { return f.TakesContext || f.HasCtxForm || f.Handler }

// blockingSink reports whether a sink call makes a function blocking.
func blockingSink(s SinkCall) bool { return !s.Rule.Consumer }

func (b *builder) countCallers() {
	for _, f := range b.res.Funcs {
		for _, c := range f.Calls {
			if callee := b.res.byID[c.Callee]; callee != nil {
				callee.Callers++
			}
			for _, id := range c.Impls {
				b.res.byID[id].Callers++
			}
		}
	}
}

// propagate computes the blocking set: a breadth-first walk from the
// functions that call a sink, up the reversed call graph (static calls and
// dynamic calls through the implementations they may reach). It is the
// least fixpoint, strongly connected components included, in linear time;
// breadth-first order gives each function the nearest sink as Via.
//
// A function that already has a context is not blocking (nothing to
// migrate) and its static callers are reached through their own sink calls
// (the call to a shim, the context.TODO() they pass). It still makes the
// interface methods it implements block: a call through the interface
// reaches it all the same, and migrating an implementation must not make
// the callers of the interface drop out of the plan.
func (b *builder) propagate() {
	callers := map[string][]*Func{}
	for _, f := range b.res.Funcs {
		for _, c := range f.Calls {
			callers[c.Callee] = append(callers[c.Callee], f)
			for _, id := range c.Impls {
				callers[id] = append(callers[id], f)
			}
		}
	}
	funcs := append([]*Func(nil), b.res.Funcs...)
	sort.Slice(funcs, func(i, j int) bool { return funcs[i].ID < funcs[j].ID })
	reached := map[*Func]string{} // function -> the first sink it reaches
	var queue []*Func
	reach := func(f *Func, via string) {
		if _, ok := reached[f]; ok {
			return
		}
		reached[f] = via
		if !f.done() {
			f.Blocking, f.Via = true, via
		}
		queue = append(queue, f)
	}
	for _, f := range funcs {
		for _, s := range f.Sinks {
			if blockingSink(s) {
				reach(f, s.Describe())
				break
			}
		}
	}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		via := reached[f]
		// An interface method blocks when an implementation does.
		for _, mi := range f.ifaces {
			if m := mi.methods[f.Name]; m != nil {
				reach(m, via)
			}
		}
		if f.done() {
			continue
		}
		for _, c := range callers[f.ID] {
			reach(c, via)
		}
	}
}

// kindOf decides how f is changed: a sibling ctx form for what code outside
// the module may call or hold (exported names of importable packages,
// functions used as values, methods bound to an exported interface), in
// place for the rest.
func kindOf(f *Func) Kind {
	if f.InterfaceMethod {
		return InPlace
	}
	if (token.IsExported(f.Name) && f.Importable) || f.UsedAsValue || len(f.Interfaces) > 0 {
		return Sibling
	}
	return InPlace
}

// formUnits groups the blocking functions into units and gives the rest
// their skip reasons.
func (b *builder) formUnits() {
	unitOf := map[string]*Unit{}
	var units []*Unit
	// Unexported interfaces change with all their implementations.
	impls := map[*moduleIface]map[string][]*Func{}
	for _, f := range b.res.Funcs {
		for _, mi := range f.ifaces {
			if impls[mi] == nil {
				impls[mi] = map[string][]*Func{}
			}
			impls[mi][f.Name] = append(impls[mi][f.Name], f)
		}
	}
	for _, name := range sortedKeys(b.ifaces) {
		mi := b.ifaces[name]
		if mi.exported {
			continue
		}
		for _, mname := range sortedKeys(mi.methods) {
			m := mi.methods[mname]
			if !m.Blocking || unitOf[m.ID] != nil {
				continue
			}
			members := append([]*Func{m}, impls[mi][mname]...)
			if reason := b.ifaceUnitBlocked(mi, members); reason != "" {
				for _, f := range members {
					if f.Skip == "" {
						f.Skip = reason
					}
				}
				continue
			}
			u := &Unit{ID: m.ID, Package: m.Package, Kind: InPlace}
			for _, f := range members {
				u.Funcs = append(u.Funcs, f.ID)
				unitOf[f.ID] = u
			}
			units = append(units, u)
		}
	}
	for _, f := range b.res.Funcs {
		if !f.Blocking || f.done() || unitOf[f.ID] != nil {
			continue
		}
		if f.Skip == "" && f.outside != "" {
			f.Skip = "signature fixed by " + f.outside
		}
		kind := kindOf(f)
		if f.Skip == "" && kind == Sibling && f.nameTaken != "" {
			f.Skip = f.nameTaken
		}
		if f.Skip != "" || f.InterfaceMethod {
			if f.Skip == "" {
				f.Skip = "method of an exported interface: it never changes, so calls through it stay sync (apply --upgrade-interfaces adds an optional ctx interface beside it)"
			}
			continue
		}
		u := &Unit{ID: f.ID, Funcs: []string{f.ID}, Package: f.Package, Kind: kind}
		unitOf[f.ID] = u
		units = append(units, u)
	}
	for _, u := range units {
		b.describeUnit(u, unitOf)
	}
	sort.Slice(units, func(i, j int) bool { return units[i].ID < units[j].ID })
	b.countSinks(units, unitOf)
	b.res.Units = units
}

// ifaceUnitBlocked says why an unexported interface method cannot change
// in place with its implementations, or "".
func (b *builder) ifaceUnitBlocked(mi *moduleIface, members []*Func) string {
	for _, f := range members[1:] {
		switch {
		case f.Skip != "":
			return fmt.Sprintf("implements %s, whose implementation %s is left alone (%s)", shortCall(mi.name), f.ID, f.Skip)
		case f.outside != "":
			return fmt.Sprintf("implements %s and %s: signature fixed", shortCall(mi.name), f.outside)
		case f.done():
			return fmt.Sprintf("implements %s, whose implementation %s already takes a context", shortCall(mi.name), f.ID)
		case token.IsExported(f.Name) && f.Importable || f.UsedAsValue || len(f.Interfaces) > 0:
			return fmt.Sprintf("implements %s with %s, which is public or used as a value: the interface cannot change in place", shortCall(mi.name), f.ID)
		}
	}
	return ""
}

func (b *builder) describeUnit(u *Unit, unitOf map[string]*Unit) {
	lead := b.res.byID[u.ID]
	u.Via = lead.Via
	callees := map[string]bool{}
	var risks []string
	if lead.InterfaceMethod {
		u.Callers = lead.Callers // calls through the interface count once
	}
	for _, id := range u.Funcs {
		f := b.res.byID[id]
		if !lead.InterfaceMethod {
			u.Callers += f.Callers
		}
		if u.Via == "" {
			u.Via = f.Via
		}
		if f.Exported && f.Importable {
			u.Exported = true
		}
		if f.UsedAsValue {
			risks = append(risks, "used as a value")
		}
		for _, i := range f.Interfaces {
			risks = append(risks, "implements "+i)
		}
		if len(f.Also) > 0 {
			var files []string
			for _, p := range f.Also {
				files = append(files, p.File)
			}
			risks = append(risks, "also declared in "+strings.Join(files, ", "))
		}
		for _, s := range f.Sinks {
			if s.Rule.Value {
				risks = append(risks, valueRisk(shortCall(s.Rule.Call), s.Pos))
			}
		}
		for _, c := range f.Calls {
			if c.Value && b.res.byID[c.Callee].Blocking {
				risks = append(risks, valueRisk(shortCall(c.Callee), c.Pos))
			}
			targets := append([]string{c.Callee}, c.Impls...)
			for _, t := range targets {
				if cu := unitOf[t]; cu != nil && cu != u {
					callees[cu.ID] = true
				}
			}
			if c.Interface != "" && b.ifaces[c.Interface] != nil && b.ifaces[c.Interface].exported {
				if callee := b.res.byID[c.Callee]; callee != nil && callee.Blocking {
					risks = append(risks, "call through exported interface "+shortCall(c.Interface)+" stays sync at "+c.Pos.Short()+" (apply --upgrade-interfaces: use the ctx form when the value has it)")
				}
			}
		}
	}
	if u.Exported {
		risks = append([]string{"exported API"}, risks...)
	}
	if len(u.Funcs) > 1 && b.res.byID[u.ID].InterfaceMethod {
		risks = append(risks, fmt.Sprintf("unexported interface changes with %d implementations", len(u.Funcs)-1))
	}
	u.Risks = dedupe(risks)
	u.Callees = sortedKeys(callees)
}

// valueRisk notes a callback that the ctx form wraps in a closure over ctx.
func valueRisk(callee string, pos Position) string {
	return fmt.Sprintf("passes %s as a callback at %s: its ctx form passes a closure over ctx, which must not outlive the call", callee, pos.Short())
}

// countSinks gives every unit its static heat: its own blocking sink calls
// plus its callees' heat (each strongly connected component counted once
// along a path; saturating).
func (b *builder) countSinks(units []*Unit, unitOf map[string]*Unit) {
	const limit = 1 << 30
	byID := map[string]*Unit{}
	own := map[string]int{}
	for _, u := range units {
		byID[u.ID] = u
		for _, id := range u.Funcs {
			for _, s := range b.res.byID[id].Sinks {
				if blockingSink(s) {
					own[u.ID]++
				}
			}
		}
	}
	state := map[string]int{} // 1 in progress, 2 done
	var visit func(u *Unit) int
	visit = func(u *Unit) int {
		switch state[u.ID] {
		case 1:
			return 0
		case 2:
			return u.SinkCalls
		}
		state[u.ID] = 1
		n := own[u.ID]
		for _, c := range u.Callees {
			n += visit(byID[c])
			if n > limit {
				n = limit
			}
		}
		u.SinkCalls, state[u.ID] = n, 2
		return n
	}
	for _, u := range units {
		visit(u)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// skipCategory shortens a skip reason to its kind for counting
// ("signature fixed by io.Reader" -> "signature fixed by an outside interface").
func skipCategory(reason string) string {
	switch {
	case strings.HasPrefix(reason, "signature fixed by"):
		return "signature fixed by an outside interface"
	case strings.HasPrefix(reason, "ctx-form name"):
		return "ctx-form name taken"
	case strings.HasPrefix(reason, "implements "):
		return "interface cannot change"
	}
	return reason
}
