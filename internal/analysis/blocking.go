package analysis

import (
	"fmt"
	"sort"
)

// propagate computes which functions block: a breadth-first walk from the
// functions with a blocking operation in their body (depth 0) and the
// functions known to block from a fact (their fact's depth), up the
// reversed call graph (static calls, dynamic calls through the
// implementations they may reach, callbacks). It is the least fixpoint,
// strongly connected components included; each function gets the length
// of its shortest chain to a blocking operation, and then, as Via, the
// operation at the end of the first such chain in source order, so that
// every driver names the same operation.
//
// A function that already has a context is not blocking (nothing to
// migrate) and its static callers are reached through their own
// operations (the call to a shim, the context.TODO() they pass). It still
// makes the interface methods it implements block: a call through the
// interface reaches it all the same, and migrating an implementation must
// not make the callers of the interface drop out of the plan.
func propagate(funcs []*Func) {
	g := newReverseGraph(funcs)
	order := g.walk(funcs)
	for _, f := range order {
		if !f.ghost {
			f.Via = viaOf(f, g.implementers[f])
			f.Blocking = !f.Done()
		}
	}
}

// reverseGraph is the call graph upside down: who calls a function, and
// which interface methods a method makes block.
type reverseGraph struct {
	callers map[*Func][]*Func
	// implementers are an interface method's implementations; implements
	// the interface methods a method implements. Test doubles do not make
	// an interface of non-test code block.
	implementers, implements map[*Func][]*Func
	buckets                  [][]*Func // functions by depth, to visit
}

func newReverseGraph(funcs []*Func) *reverseGraph {
	g := &reverseGraph{callers: map[*Func][]*Func{}, implementers: map[*Func][]*Func{}, implements: map[*Func][]*Func{}}
	for _, f := range funcs {
		for _, mi := range f.ifaces {
			if m := mi.Methods[f.Name]; m != nil && (!f.TestFile || m.TestFile) {
				g.implementers[m] = append(g.implementers[m], f)
				g.implements[f] = append(g.implements[f], m)
			}
		}
		for _, c := range f.Calls {
			if c.Detached {
				continue // it does not make f block
			}
			for _, t := range c.Targets() {
				g.callers[t] = append(g.callers[t], f)
			}
		}
	}
	return g
}

// push gives f the depth d unless it has a smaller one.
func (g *reverseGraph) push(f *Func, d int) {
	if f.depth >= 0 && f.depth <= d {
		return
	}
	f.depth = d
	for len(g.buckets) <= d {
		g.buckets = append(g.buckets, nil)
	}
	g.buckets[d] = append(g.buckets[d], f)
}

// walk visits the functions that block, breadth-first from the seeds
// (facts may start a function deeper than 0), and returns them in
// increasing depth.
func (g *reverseGraph) walk(funcs []*Func) []*Func {
	for _, f := range funcs {
		switch {
		case f.ghost && f.Blocking:
			d := f.depth
			f.depth = -1
			g.push(f, d)
		case firstBlockingOp(f) != nil:
			g.push(f, 0)
		}
	}
	var order []*Func
	for d := 0; d < len(g.buckets); d++ {
		for _, f := range g.buckets[d] {
			if f.depth != d {
				continue // reached earlier by a shorter chain
			}
			order = append(order, f)
			for _, m := range g.implements[f] {
				g.push(m, d+1)
			}
			if !f.Done() {
				for _, c := range g.callers[f] {
					g.push(c, d+1)
				}
			}
		}
	}
	return order
}

// firstBlockingOp is the first operation in f's body that blocks.
func firstBlockingOp(f *Func) *Op {
	for _, o := range f.Ops {
		if o.Blocks() {
			return o
		}
	}
	return nil
}

// viaOf is the operation f reaches first: its own, else the one of the
// first target, in source order, one step nearer to an operation.
func viaOf(f *Func, implementers []*Func) Via {
	if o := firstBlockingOp(f); o != nil {
		return Via{Call: o.Rule.Call, At: o.At}
	}
	for _, c := range f.Calls {
		if c.Detached {
			continue
		}
		for _, t := range sortedTargets(c) {
			if t.depth == f.depth-1 {
				return t.Via
			}
		}
	}
	// An interface method blocks through an implementation.
	var impls []*Func
	for _, c := range implementers {
		if c.depth == f.depth-1 {
			impls = append(impls, c)
		}
	}
	sort.Slice(impls, func(i, j int) bool { return impls[i].ID < impls[j].ID })
	if len(impls) > 0 {
		return impls[0].Via
	}
	return Via{}
}

// sortedTargets are a call's targets: the callee, then the
// implementations by ID.
func sortedTargets(c *Call) []*Func {
	if len(c.Impls) == 0 {
		return []*Func{c.Callee}
	}
	impls := append([]*Func(nil), c.Impls...)
	sort.Slice(impls, func(i, j int) bool { return impls[i].ID < impls[j].ID })
	return append([]*Func{c.Callee}, impls...)
}

// cancellability computes, once the structural skips are known, how far a
// ctx form's ctx would reach: Cancels (an operation that honours it, its
// own or through a callee that gets a ctx form) and Stuck (the first
// operation it cannot reach: a wait that cannot be bound, or a callee that
// stays sync). It is a least fixpoint over the same reversed call graph,
// detached calls aside.
func cancellability(funcs []*Func) {
	callers := map[*Func][]*Func{}
	var queue []*Func
	for _, f := range funcs {
		if !f.ghost {
			ownReach(f)
		}
		for _, c := range f.Calls {
			if c.Detached {
				continue
			}
			if c.Field != nil && !c.Field.Migrates() {
				fieldStuck(f, c)
				continue
			}
			if c.Field != nil {
				adaptedStuck(f, c)
			}
			for _, t := range c.Targets() {
				callers[t] = append(callers[t], f)
			}
		}
		for _, mi := range f.ifaces {
			if m := mi.Methods[f.Name]; m != nil && (!f.TestFile || m.TestFile) {
				callers[f] = append(callers[f], m)
			}
		}
		if f.Cancels || f.Stuck.Call != "" {
			queue = append(queue, f)
		}
	}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		for _, c := range callers[f] {
			if reachThrough(c, f) {
				queue = append(queue, c)
			}
		}
	}
}

// ownReach sets what f's own operations say.
func ownReach(f *Func) {
	for _, o := range f.Ops {
		if !o.Blocks() {
			continue
		}
		if f.Closure != nil && o.Rule.Rewrite != RewriteBackground {
			// A closure stored into a func field is rewritten as text
			// where its enclosing function is not migrated: its ctx
			// reaches its calls, not the sinks in its own body.
			if f.Stuck.Call == "" {
				f.Stuck = Via{Call: o.Name(), At: o.At, Why: "in a closure stored into a func field, it is not rewritten; move it into a function"}
			}
			continue
		}
		if o.Cancellable() {
			f.Cancels = true
		} else if f.Stuck.Call == "" {
			f.Stuck = Via{Call: o.Name(), At: o.At, Why: o.Stuck}
		}
	}
}

// reachThrough adds to caller what its call to callee brings, and reports
// whether caller changed.
func reachThrough(caller, callee *Func) bool {
	if caller.Done() || !callee.Blocking && !callee.Done() {
		return false
	}
	changed := false
	if callee.Skip.Code == SkipExportedIface {
		// The module's implementations get ctx forms; a call through the
		// interface uses them when the value has them (and the sync
		// method of an implementation that does not).
		if callee.Cancels && !caller.Cancels {
			caller.Cancels, changed = true, true
		}
		return changed
	}
	if passable(callee) {
		if callee.Cancels && !caller.Cancels {
			caller.Cancels, changed = true, true
		}
		if callee.Stuck.Call != "" && caller.Stuck.Call == "" {
			caller.Stuck, caller.stuckIface, changed = callee.Stuck, callee.stuckIface, true
		}
	} else if caller.Stuck.Call == "" && callee.Blocking {
		caller.Stuck = Via{Call: "a call to " + ShortName(callee.ID), At: callee.At, Why: "it gets no ctx form (" + callee.Skip.Code.Label() + ")"}
		changed = true
	}
	return changed
}

// passable reports whether a call to f can pass a ctx: f gets a ctx form,
// or has one.
func passable(f *Func) bool {
	if f.ghost {
		return !f.leftOut
	}
	return f.Done() || f.Skip.IsZero()
}

// fieldStuck notes that a ctx cannot reach what f calls through a
// function-valued field that keeps its signature.
func fieldStuck(f *Func, c *Call) {
	blocks := false
	for _, t := range c.Targets() {
		blocks = blocks || t.Blocking
	}
	if !blocks || f.Stuck.Call != "" {
		return
	}
	why := "its type has no ctx"
	if g := c.Field.Group; g != nil && !g.Keep.IsZero() {
		why = "it keeps its signature: " + g.Keep.Detail
		if len(c.Field.Unresolved) > 0 {
			u := c.Field.Unresolved[0]
			why += fmt.Sprintf(" (and %s at %s)", u.Why, u.At.Short())
		}
	} else if len(c.Field.Unresolved) > 0 {
		u := c.Field.Unresolved[0]
		why = fmt.Sprintf("it keeps its signature: %s at %s", u.Why, u.At.Short())
	}
	f.Stuck = Via{Call: "a call through " + c.Field.Short(), At: c.At, Why: why}
}

// adaptedStuck notes that the ctx of a call through a migrating field
// does not reach a value stored into it that the migration adapts (it
// ignores the ctx).
func adaptedStuck(f *Func, c *Call) {
	if c.Field.Group.Done {
		return
	}
	v := c.Field.Group.FirstAdapted()
	if v == nil || f.Stuck.Call != "" {
		return
	}
	why := fmt.Sprintf("the value stored at %s is adapted and ignores the ctx", v.At.Short())
	if sf := c.Field.Group.Sibling; sf != nil {
		why = fmt.Sprintf("the value stored at %s has no ctx form to store into %s", v.At.Short(), sf.Name)
	}
	f.Stuck = Via{Call: "a call through " + c.Field.Short(), At: c.At, Why: why}
}
