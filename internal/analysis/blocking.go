package analysis

import (
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
		if o.Rule.Blocks() {
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

// Depth is the number of calls between f and the blocking operation it
// reaches (0: one in its body), for facts.
func Depth(f *Func) int { return f.depth }
