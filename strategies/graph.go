package strategies

import (
	"fmt"
	"slices"
	"strings"
)

// callGraph is a Graph prepared for the strategies: units sorted by ID and
// calls as indices. Edges to IDs that are not in the graph are dropped,
// duplicate edges are merged, self-loops are kept.
type callGraph struct {
	units []Unit   // sorted by ID
	ids   []string // the units' IDs
	succ  [][]int  // unit -> sorted distinct callee units
}

// newCallGraph indexes g. The result does not depend on the order of
// g.Units or of their Callees.
func newCallGraph(g Graph) (*callGraph, error) {
	units := slices.Clone(g.Units)
	for i, u := range units {
		if u.UnitID() == "" {
			return nil, fmt.Errorf("unit %d has an empty ID", i)
		}
	}
	slices.SortFunc(units, func(a, b Unit) int { return strings.Compare(a.UnitID(), b.UnitID()) })
	ids := make([]string, len(units))
	index := make(map[string]int, len(units))
	for i, u := range units {
		ids[i] = u.UnitID()
		if i > 0 && ids[i-1] == ids[i] {
			return nil, fmt.Errorf("duplicate unit ID %q", ids[i])
		}
		index[ids[i]] = i
	}
	succ := make([][]int, len(units))
	for i, u := range units {
		for _, id := range u.CalleeIDs() {
			if j, ok := index[id]; ok {
				succ[i] = append(succ[i], j)
			}
		}
		// A requirement is an edge both ways: the two units form one
		// component, which every strategy keeps in one phase.
		if r, ok := u.(Requirer); ok {
			for _, id := range r.RequiredIDs() {
				if j, ok := index[id]; ok {
					succ[i] = append(succ[i], j)
					succ[j] = append(succ[j], i)
				}
			}
		}
	}
	for i := range succ {
		slices.Sort(succ[i])
		succ[i] = slices.Compact(succ[i])
	}
	return &callGraph{units: units, ids: ids, succ: succ}, nil
}

// condensation is the DAG of the strongly connected components (SCCs) of a
// callGraph. Components are numbered in the order of their lead (smallest)
// unit ID, so comparing component numbers compares lead IDs.
type condensation struct {
	g       *callGraph
	comp    []int   // unit -> component
	members [][]int // component -> its units, ascending (by ID)
	succ    [][]int // component -> distinct callee components, ascending, no self edge
	pred    [][]int // component -> distinct caller components, ascending, no self edge
	// post lists the components callees first: every component comes after
	// all the components it calls (reverse topological order).
	post []int
}

func (c *condensation) n() int { return len(c.members) }

// lead is the ID of the component's first unit.
func (c *condensation) lead(k int) string { return c.g.ids[c.members[k][0]] }

// size is the number of units in the component.
func (c *condensation) size(k int) int { return len(c.members[k]) }

// condense computes the SCCs with Tarjan's algorithm (iterative, so deep
// call chains cannot exhaust the stack) and builds the condensation DAG.
// It runs in O(units + calls).
func condense(g *callGraph) *condensation {
	n := len(g.units)
	const unvisited = -1
	index := make([]int, n)
	low := make([]int, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = unvisited
	}
	var (
		stack   []int
		emitted [][]int // SCCs in Tarjan's emission order: callees first
		counter int
	)
	type frame struct{ v, next int }
	var frames []frame
	visit := func(v int) {
		index[v], low[v] = counter, counter
		counter++
		stack = append(stack, v)
		onStack[v] = true
		frames = append(frames, frame{v: v})
	}
	for s := range n {
		if index[s] != unvisited {
			continue
		}
		visit(s)
		for len(frames) > 0 {
			f := &frames[len(frames)-1]
			v := f.v
			if f.next < len(g.succ[v]) {
				w := g.succ[v][f.next]
				f.next++
				if index[w] == unvisited {
					visit(w)
				} else if onStack[w] {
					low[v] = min(low[v], index[w])
				}
				continue
			}
			frames = frames[:len(frames)-1]
			if len(frames) > 0 {
				u := frames[len(frames)-1].v
				low[u] = min(low[u], low[v])
			}
			if low[v] != index[v] {
				continue
			}
			var scc []int
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				scc = append(scc, w)
				if w == v {
					break
				}
			}
			slices.Sort(scc)
			emitted = append(emitted, scc)
		}
	}

	// Number the components by their lead unit.
	order := make([]int, len(emitted)) // component number -> emitted index
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return emitted[a][0] - emitted[b][0] })
	c := &condensation{
		g:       g,
		comp:    make([]int, n),
		members: make([][]int, len(emitted)),
		succ:    make([][]int, len(emitted)),
		pred:    make([][]int, len(emitted)),
		post:    make([]int, len(emitted)),
	}
	number := make([]int, len(emitted)) // emitted index -> component number
	for k, e := range order {
		number[e] = k
		c.members[k] = emitted[e]
		for _, u := range emitted[e] {
			c.comp[u] = k
		}
	}
	for e := range emitted {
		c.post[e] = number[e]
	}
	for k, ms := range c.members {
		var out []int
		for _, u := range ms {
			for _, w := range g.succ[u] {
				if kw := c.comp[w]; kw != k {
					out = append(out, kw)
				}
			}
		}
		slices.Sort(out)
		c.succ[k] = slices.Compact(out)
	}
	for k := range c.succ { // ascending k, so every pred list comes out sorted
		for _, kw := range c.succ[k] {
			c.pred[kw] = append(c.pred[kw], k)
		}
	}
	return c
}

// heights returns, for every component, 1 + the largest height of the
// components it calls; components that call none have height 1.
func (c *condensation) heights() []int {
	h := make([]int, c.n())
	for _, k := range c.post {
		h[k] = 1
		for _, s := range c.succ[k] {
			h[k] = max(h[k], h[s]+1)
		}
	}
	return h
}

// depths returns, for every component, the length of the longest call
// chain from a root (a component that no other component calls) down to it;
// roots have depth 0.
func (c *condensation) depths() []int {
	d := make([]int, c.n())
	for i := len(c.post) - 1; i >= 0; i-- {
		k := c.post[i]
		for _, p := range c.pred[k] {
			d[k] = max(d[k], d[p]+1)
		}
	}
	return d
}

// exported reports whether any unit of the component is exported.
func (c *condensation) exported(k int) bool {
	for _, u := range c.members[k] {
		if c.g.units[u].IsExported() {
			return true
		}
	}
	return false
}

// groupBy returns the components bucketed by key (0..max key), each bucket
// ascending.
func groupBy(c *condensation, key []int) [][]int {
	var buckets [][]int
	for k := range c.n() {
		for len(buckets) <= key[k] {
			buckets = append(buckets, nil)
		}
		buckets[key[k]] = append(buckets[key[k]], k)
	}
	return buckets
}
