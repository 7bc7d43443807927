package strategies

import (
	"container/heap"
	"fmt"
	"math/bits"
	"strings"
)

// CriticalPath migrates whole root-to-sink paths, hottest first, so that
// cancellation works end to end on the paths that matter before anything
// else is touched.
//
// Paths run through the condensed call graph (a call cycle is one node, and
// its units always share a phase) from a root (no caller left to migrate) to
// a unit that calls no unit left to migrate.
//
// Heat. A unit's heat is the sum of Options.Heat over the distinct names in
// its Funcs (the implementations of an interface method add up); when none of
// them is in the profile, Options.Heat[ID] is used. A call cycle's heat is
// the largest heat of its units (profile heat is cumulative, so the members
// of a cycle already count each other). The profile is used when it matches
// at least one unit; otherwise every heat is 0 and only the static score
// counts. The static score of a unit is its StaticScore; a cycle's is the
// largest of its units'.
//
// Scores. A path's score is the sum over its nodes not yet taken of the
// triple (heat, static score, units), compared lexicographically: profile
// heat first, the static score breaks ties between equally hot paths and
// the number of new units breaks the remaining ones; the last tie goes to
// the smaller ID. Nodes already taken count nothing, so the next path is the
// one that adds the most heat, and a path that adds no unit never wins.
//
// Algorithm. Enumerating paths is exponential, so the plan is built
// greedily with dynamic programming on the DAG: best(n) = score(n) +
// max best(callee) (max-plus over a total order compatible with addition,
// so best(n) is the score of the best path down from n), and next(n) is the
// argmax callee (the smaller ID on ties). The best root's path is followed
// through next; its new nodes become the next phase and their score drops
// to zero. Scores only go down, so only the callers whose next is a node
// whose best changed need recomputing: they are visited callees first
// (a bit set over the reverse topological order serves as the queue), and
// an indexed heap keeps the roots by best. Every round takes at least one
// node; a round costs O(V/64) plus the nodes whose best changes and their
// edges, and nothing enumerates paths.
//
// A phase holds the new units of one path; when --max-units splits it, the
// parts go from the sink end up to the root, so each part's ctx forms call
// ctx forms already migrated below them. Units may call callees that a later
// phase migrates: until then they call the sync form.
type CriticalPath struct{}

// Name implements Strategy.
func (CriticalPath) Name() string { return CriticalPathName }

// score is a path score, compared lexicographically.
type score struct{ heat, static, units int64 }

func (a score) add(b score) score {
	return score{a.heat + b.heat, a.static + b.static, a.units + b.units}
}

func (a score) cmp(b score) int {
	switch {
	case a.heat != b.heat:
		return cmpInt(a.heat, b.heat)
	case a.static != b.static:
		return cmpInt(a.static, b.static)
	default:
		return cmpInt(a.units, b.units)
	}
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// unitHeat is u's heat in the profile and whether the profile names it.
func unitHeat(u Unit, prof map[string]int64) (int64, bool) {
	var sum int64
	found := false
	funcs := u.FuncIDs()
	seen := make(map[string]bool, len(funcs))
	for _, f := range funcs {
		if seen[f] {
			continue
		}
		seen[f] = true
		if h, ok := prof[f]; ok {
			sum += h
			found = true
		}
	}
	if !found {
		sum, found = prof[u.UnitID()]
	}
	return sum, found
}

// Plan implements Strategy.
func (CriticalPath) Plan(g Graph, opts Options) (Plan, error) {
	c, err := prepare(g, opts)
	if err != nil {
		return Plan{}, err
	}
	n := c.n()
	plan := Plan{Strategy: CriticalPathName}

	// Node weights.
	weight := make([]score, n)
	matched := 0
	for k, ms := range c.members {
		w := score{units: int64(len(ms))}
		for _, u := range ms {
			unit := c.g.units[u]
			// Negative inputs are clamped to 0: a new unit must never
			// lower a path's score below one that adds nothing.
			w.static = max(w.static, int64(max(unit.StaticScore(), 0)))
			if opts.Heat != nil {
				if h, ok := unitHeat(unit, opts.Heat); ok {
					matched++
					w.heat = max(w.heat, h, 0)
				}
			}
		}
		weight[k] = w
	}
	useProfile := matched > 0
	switch {
	case useProfile:
		plan.Notes = append(plan.Notes, fmt.Sprintf("critical-path: heat from the profile (%d of %d units matched); ties go to the static score (sink calls reached + call sites)", matched, len(c.g.units)))
	case opts.Heat != nil:
		plan.Notes = append(plan.Notes, fmt.Sprintf("critical-path: the profile matched none of the %d units; heat is the static score (sink calls reached + call sites)", len(c.g.units)))
	default:
		plan.Notes = append(plan.Notes, "critical-path: no profile; heat is the static score (sink calls reached + call sites)")
	}
	if n == 0 {
		plan.Phases = []Phase{}
		return plan, nil
	}

	// rank[k] is k's position in c.post (callees first).
	rank := make([]int, n)
	for i, k := range c.post {
		rank[k] = i
	}
	best := make([]score, n)
	next := make([]int, n) // argmax callee, -1 at the end of a path
	recompute := func(k int) {
		b, nx := score{}, -1
		for _, s := range c.succ[k] { // ascending, so ties keep the smaller ID
			if nx < 0 || best[s].cmp(b) > 0 {
				b, nx = best[s], s
			}
		}
		best[k], next[k] = weight[k].add(b), nx
	}
	for _, k := range c.post {
		recompute(k)
	}
	roots := &rootHeap{best: best, pos: make([]int, n)}
	for k := range n {
		roots.pos[k] = -1
		if len(c.pred[k]) == 0 {
			roots.pos[k] = len(roots.ks)
			roots.ks = append(roots.ks, k)
		}
	}
	heap.Init(roots)

	taken := make([]bool, n)
	left := n
	var drafts []draft
	// dirty holds the ranks of the components to recompute. Callers rank
	// after their callees, so ranks come out in increasing order and a
	// bit set scanned upwards is a monotone priority queue.
	dirty := make(rankSet, (n+63)/64)
	for left > 0 {
		root := roots.ks[0]
		var path, fresh []int
		var gain score
		for k := root; k >= 0; k = next[k] {
			path = append(path, k)
			if !taken[k] {
				fresh = append(fresh, k)
				gain = gain.add(weight[k])
			}
		}
		if len(fresh) == 0 {
			// Cannot happen while nodes are left: every node lies on a
			// root-to-sink path, and such a path outscores an all-taken one.
			return Plan{}, fmt.Errorf("internal error: critical path from %s adds no unit", c.lead(root))
		}
		for _, k := range fresh {
			taken[k] = true
			weight[k] = score{}
			left--
			dirty.add(rank[k])
		}
		// Scores only go down, so a caller whose argmax callee is not k
		// keeps its argmax and its best: only argmax callers are updated.
		for r := dirty.next(0); r >= 0; r = dirty.next(r) {
			k := c.post[r]
			old := best[k]
			recompute(k)
			if best[k] == old {
				continue
			}
			if roots.pos[k] >= 0 {
				heap.Fix(roots, roots.pos[k])
			}
			for _, p := range c.pred[k] {
				if next[p] == k {
					dirty.add(rank[p])
				}
			}
		}

		// Pack from the sink end up to the root.
		comps := make([]int, len(fresh))
		for i, k := range fresh {
			comps[len(fresh)-1-i] = k
		}
		text := fmt.Sprintf("hottest remaining root-to-sink path %s (%d units on it, %d new; ", describePath(c, path), pathUnits(c, path), gain.units)
		if useProfile {
			text += fmt.Sprintf("profile heat of the new units %d, static score %d)", gain.heat, gain.static)
		} else {
			text += fmt.Sprintf("static score of the new units %d)", gain.static)
		}
		drafts = append(drafts, draft{
			comps: comps,
			label: fmt.Sprintf("critical path %d", len(drafts)+1),
			text:  func(int) string { return text },
		})
	}
	plan.Phases = number(c, drafts, opts.MaxUnits)
	return plan, nil
}

func pathUnits(c *condensation, path []int) int {
	n := 0
	for _, k := range path {
		n += c.size(k)
	}
	return n
}

// describePath writes a path as "a -> b -> c", eliding the middle of long
// paths.
func describePath(c *condensation, path []int) string {
	const keepHead, keepTail = 3, 2
	var parts []string
	if len(path) <= keepHead+keepTail+1 {
		for _, k := range path {
			parts = append(parts, c.lead(k))
		}
	} else {
		for _, k := range path[:keepHead] {
			parts = append(parts, c.lead(k))
		}
		parts = append(parts, fmt.Sprintf("(%d more)", len(path)-keepHead-keepTail))
		for _, k := range path[len(path)-keepTail:] {
			parts = append(parts, c.lead(k))
		}
	}
	return strings.Join(parts, " -> ")
}

// rootHeap is a max-heap of the roots by best score, then smallest
// component; pos follows each root's place so heap.Fix can update it.
type rootHeap struct {
	best []score
	ks   []int
	pos  []int // component -> index in ks, -1 if not a root
}

func (h *rootHeap) Len() int { return len(h.ks) }
func (h *rootHeap) Less(i, j int) bool {
	a, b := h.ks[i], h.ks[j]
	if c := h.best[a].cmp(h.best[b]); c != 0 {
		return c > 0
	}
	return a < b
}
func (h *rootHeap) Swap(i, j int) {
	h.ks[i], h.ks[j] = h.ks[j], h.ks[i]
	h.pos[h.ks[i]], h.pos[h.ks[j]] = i, j
}
func (h *rootHeap) Push(any) { panic("rootHeap: roots are fixed") }
func (h *rootHeap) Pop() any { panic("rootHeap: roots are fixed") }

// rankSet is a set of ranks as a bit set.
type rankSet []uint64

func (s rankSet) add(r int) { s[r/64] |= 1 << (r % 64) }

// next removes and returns the smallest rank ≥ from, or -1.
func (s rankSet) next(from int) int {
	for w := from / 64; w < len(s); w++ {
		if s[w] == 0 {
			continue
		}
		b := bits.TrailingZeros64(s[w])
		s[w] &^= 1 << b
		return w*64 + b
	}
	return -1
}
