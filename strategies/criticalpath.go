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
	plan := Plan{Strategy: CriticalPathName}
	weight, matched := nodeWeights(c, opts.Heat)
	useProfile := matched > 0
	plan.Notes = append(plan.Notes, heatNote(matched, len(c.g.units), opts.Heat != nil))
	if c.n() == 0 {
		plan.Phases = []Phase{}
		return plan, nil
	}
	ps := newPathSearch(c, weight)
	var drafts []draft
	for ps.left > 0 {
		root := ps.roots.ks[0]
		path, fresh, gain := ps.follow(root)
		if len(fresh) == 0 {
			// Cannot happen while nodes are left: every node lies on a
			// root-to-sink path, and such a path outscores an all-taken one.
			return Plan{}, fmt.Errorf("internal error: critical path from %s adds no unit", c.lead(root))
		}
		ps.take(fresh)
		drafts = append(drafts, pathDraft(c, path, fresh, gain, useProfile))
	}
	plan.Phases = split(c, drafts, opts.MaxUnits)
	return plan, nil
}

// nodeWeights returns each component's weight: its units, the largest
// static score and the largest heat in prof of its units; matched counts
// the units prof names.
func nodeWeights(c *condensation, prof map[string]int64) (weight []score, matched int) {
	weight = make([]score, c.n())
	for k, ms := range c.members {
		w := score{units: int64(len(ms))}
		for _, u := range ms {
			unit := c.g.units[u]
			// Negative inputs are clamped to 0: a new unit must never
			// lower a path's score below one that adds nothing.
			w.static = max(w.static, int64(max(unit.StaticScore(), 0)))
			if prof != nil {
				if h, ok := unitHeat(unit, prof); ok {
					matched++
					w.heat = max(w.heat, h, 0)
				}
			}
		}
		weight[k] = w
	}
	return weight, matched
}

// heatNote is the plan's note on where heat comes from: matched of units
// units found in the profile, if there is one.
func heatNote(matched, units int, haveProfile bool) string {
	switch {
	case matched > 0:
		return fmt.Sprintf("critical-path: heat from the profile (%d of %d units matched); ties go to the static score (sink calls reached + call sites)", matched, units)
	case haveProfile:
		return fmt.Sprintf("critical-path: the profile matched none of the %d units; heat is the static score (sink calls reached + call sites)", units)
	}
	return "critical-path: no profile; heat is the static score (sink calls reached + call sites)"
}

// pathSearch is the dynamic programming state of the greedy path search
// over the condensed graph (see CriticalPath).
type pathSearch struct {
	c      *condensation
	weight []score
	// rank[k] is k's position in c.post (callees first).
	rank []int
	// best[k] is the score of the best path down from k; next[k] is its
	// argmax callee, -1 at the end of a path.
	best []score
	next []int
	// roots keeps the roots by best.
	roots *rootHeap
	taken []bool
	// left counts the components not taken yet.
	left int
	// dirty holds the ranks of the components to recompute. Callers rank
	// after their callees, so ranks come out in increasing order and a
	// bit set scanned upwards is a monotone priority queue.
	dirty rankSet
}

// newPathSearch computes best and next for every component of c, callees
// first, and heaps the roots.
func newPathSearch(c *condensation, weight []score) *pathSearch {
	n := c.n()
	ps := &pathSearch{
		c: c, weight: weight, rank: make([]int, n),
		best: make([]score, n), next: make([]int, n),
		taken: make([]bool, n), left: n, dirty: make(rankSet, (n+63)/64),
	}
	for i, k := range c.post {
		ps.rank[k] = i
	}
	for _, k := range c.post {
		ps.recompute(k)
	}
	ps.roots = &rootHeap{best: ps.best, pos: make([]int, n)}
	for k := range n {
		ps.roots.pos[k] = -1
		if len(c.pred[k]) == 0 {
			ps.roots.pos[k] = len(ps.roots.ks)
			ps.roots.ks = append(ps.roots.ks, k)
		}
	}
	heap.Init(ps.roots)
	return ps
}

// recompute sets best[k] and next[k] from k's callees.
func (ps *pathSearch) recompute(k int) {
	b, nx := score{}, -1
	for _, s := range ps.c.succ[k] { // ascending, so ties keep the smaller ID
		if nx < 0 || ps.best[s].cmp(b) > 0 {
			b, nx = ps.best[s], s
		}
	}
	ps.best[k], ps.next[k] = ps.weight[k].add(b), nx
}

// follow returns the best path down from root, its components not taken
// yet (fresh) and what they add to the path's score.
func (ps *pathSearch) follow(root int) (path, fresh []int, gain score) {
	for k := root; k >= 0; k = ps.next[k] {
		path = append(path, k)
		if !ps.taken[k] {
			fresh = append(fresh, k)
			gain = gain.add(ps.weight[k])
		}
	}
	return path, fresh, gain
}

// take marks fresh taken, drops their weight to zero and recomputes the
// components whose best that changes.
func (ps *pathSearch) take(fresh []int) {
	for _, k := range fresh {
		ps.taken[k] = true
		ps.weight[k] = score{}
		ps.left--
		ps.dirty.add(ps.rank[k])
	}
	// Scores only go down, so a caller whose argmax callee is not k
	// keeps its argmax and its best: only argmax callers are updated.
	for r := ps.dirty.next(0); r >= 0; r = ps.dirty.next(r) {
		k := ps.c.post[r]
		old := ps.best[k]
		ps.recompute(k)
		if ps.best[k] == old {
			continue
		}
		if ps.roots.pos[k] >= 0 {
			heap.Fix(ps.roots, ps.roots.pos[k])
		}
		for _, p := range ps.c.pred[k] {
			if ps.next[p] == k {
				ps.dirty.add(ps.rank[p])
			}
		}
	}
}

// pathDraft is a phase draft: the fresh components of path, packed
// from the sink end up to the root, with the reason naming the path and
// its gain.
func pathDraft(c *condensation, path, fresh []int, gain score, useProfile bool) draft {
	comps := make([]int, len(fresh))
	for j, k := range fresh {
		comps[len(fresh)-1-j] = k
	}
	text := fmt.Sprintf("hottest remaining root-to-sink path %s (%d units on it, %d new; ", describePath(c, path), pathUnits(c, path), gain.units)
	if useProfile {
		text += fmt.Sprintf("profile heat of the new units %d, static score %d)", gain.heat, gain.static)
	} else {
		text += fmt.Sprintf("static score of the new units %d)", gain.static)
	}
	return draft{
		comps: comps,
		label: "critical path",
		text:  text,
	}
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
