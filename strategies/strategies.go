package strategies

import (
	"fmt"
	"slices"
	"strings"
)

// Strategy names, the values of --strategy.
const (
	BottomUpName     = "bottom-up"
	TopDownName      = "top-down"
	CriticalPathName = "critical-path"
)

// Names returns the names of the strategies, in the order they are
// documented.
func Names() []string {
	return []string{BottomUpName, TopDownName, CriticalPathName}
}

// ByName returns the strategy that --strategy=name selects.
func ByName(name string) (Strategy, error) {
	switch name {
	case BottomUpName:
		return BottomUp{}, nil
	case TopDownName:
		return TopDown{}, nil
	case CriticalPathName:
		return CriticalPath{}, nil
	}
	return nil, fmt.Errorf("unknown strategy %q (want bottom-up, top-down or critical-path)", name)
}

// draft is a phase before --max-units splitting.
//
// Its reason names no position in the plan ("level 2", "phases ≤ 3"):
// the plan is made again from what is left after every phase, where such
// a number would change while the phase stays the same.
type draft struct {
	// comps are the components of the phase, in the order in which they
	// are packed into parts when the phase is split.
	comps []int
	// label starts the reason ("leaves").
	label string
	// text completes the reason.
	text string
}

// prepare validates the input common to all strategies and condenses g.
func prepare(g Graph, opts Options) (*condensation, error) {
	if opts.MaxUnits < 0 {
		return nil, fmt.Errorf("max units must be 0 (no bound) or more, not %d", opts.MaxUnits)
	}
	cg, err := newCallGraph(g)
	if err != nil {
		return nil, err
	}
	return condense(cg), nil
}

// split splits every draft into phases of at most maxUnits units (never
// splitting a component), each with its ID.
func split(c *condensation, drafts []draft, maxUnits int) []Phase {
	phases := []Phase{}
	for _, d := range drafts {
		if len(d.comps) == 0 {
			continue
		}
		parts := pack(c, d.comps, maxUnits)
		for _, part := range parts {
			var b strings.Builder
			b.WriteString(d.label)
			if len(parts) > 1 {
				fmt.Fprintf(&b, " (split by --max-units=%d)", maxUnits)
			}
			b.WriteString(": ")
			b.WriteString(d.text)
			var units []Unit
			for _, k := range part {
				if n := c.size(k); n > 1 {
					if maxUnits > 0 && n > maxUnits {
						fmt.Fprintf(&b, "; call cycle %s of %d units is larger than --max-units=%d and is kept whole", cycleName(c, k), n, maxUnits)
					} else {
						fmt.Fprintf(&b, "; call cycle %s of %d units is kept together", cycleName(c, k), n)
					}
				}
				for _, u := range c.members[k] {
					units = append(units, c.g.units[u])
				}
			}
			slices.SortFunc(units, func(a, b Unit) int { return strings.Compare(a.UnitID(), b.UnitID()) })
			phases = append(phases, Phase{ID: PhaseID(unitIDs(units)), Reason: b.String(), Units: units})
		}
	}
	return phases
}

// unitIDs are the IDs of units, in order.
func unitIDs(units []Unit) []string {
	ids := make([]string, len(units))
	for i, u := range units {
		ids[i] = u.UnitID()
	}
	return ids
}

// cycleName names a component by its lead unit.
func cycleName(c *condensation, k int) string {
	return "{" + c.lead(k) + ", ...}"
}

// pack cuts comps, in order, into consecutive parts of at most maxUnits
// units; with maxUnits 0 there is one part. A component is never split:
// one larger than maxUnits gets a part of its own. The components of one
// package that fit in a part together start a part of their own rather
// than be split across two, so that a phase touches as few packages as
// it can.
func pack(c *condensation, comps []int, maxUnits int) [][]int {
	if maxUnits <= 0 {
		return [][]int{comps}
	}
	var parts [][]int
	var cur []int
	size := 0
	flush := func() {
		if len(cur) > 0 {
			parts = append(parts, cur)
			cur, size = nil, 0
		}
	}
	for _, run := range packageRuns(c, comps) {
		n := 0
		for _, k := range run {
			n += c.size(k)
		}
		if n <= maxUnits && size+n > maxUnits {
			flush()
		}
		for _, k := range run {
			if size+c.size(k) > maxUnits {
				flush()
			}
			cur = append(cur, k)
			size += c.size(k)
		}
	}
	flush()
	return parts
}

// packageRuns cuts comps into runs of consecutive components whose lead
// units are of one package.
func packageRuns(c *condensation, comps []int) [][]int {
	var runs [][]int
	pkg := func(k int) string { return c.g.units[c.members[k][0]].PackagePath() }
	for i, k := range comps {
		if i == 0 || pkg(k) != pkg(comps[i-1]) {
			runs = append(runs, nil)
		}
		runs[len(runs)-1] = append(runs[len(runs)-1], k)
	}
	return runs
}

// BottomUp migrates the leaves of the call graph first: phase k holds the
// units whose callees were all migrated in earlier phases, so every ctx form
// calls ctx forms only and the public API comes last.
//
// A unit's level is 1 + the largest level of the units it calls outside its
// own call cycle; units that call no unit to migrate (they reach a sink
// directly) are level 1. The members of a call cycle (a strongly connected
// component) share a level and a phase.
type BottomUp struct{}

// Name implements Strategy.
func (BottomUp) Name() string { return BottomUpName }

// Plan implements Strategy.
func (BottomUp) Plan(g Graph, opts Options) (Plan, error) {
	c, err := prepare(g, opts)
	if err != nil {
		return Plan{}, err
	}
	var drafts []draft
	for i, comps := range groupBy(c, c.heights()) {
		level := i // heights start at 1, bucket 0 is empty
		if len(comps) == 0 {
			continue
		}
		d := draft{comps: comps, label: "callers", text: "call only units migrated in earlier phases"}
		if level == 1 {
			d.label, d.text = "leaves", "reach a blocking operation directly; they call no unit left to migrate"
		}
		drafts = append(drafts, d)
	}
	return Plan{Strategy: BottomUpName, Phases: split(c, drafts, opts.MaxUnits)}, nil
}

// TopDown migrates the roots of the call graph first and goes down one
// level per phase: the exported roots (units that no unit to migrate calls,
// with at least one exported function), then the other roots, then phase by
// phase the units whose callers were all migrated in earlier phases (their
// depth is the longest call chain from a root). Until their callees are
// migrated, the roots' ctx forms call the sync callees as they are.
type TopDown struct{}

// Name implements Strategy.
func (TopDown) Name() string { return TopDownName }

// Plan implements Strategy.
func (TopDown) Plan(g Graph, opts Options) (Plan, error) {
	c, err := prepare(g, opts)
	if err != nil {
		return Plan{}, err
	}
	var drafts []draft
	for depth, comps := range groupBy(c, c.depths()) {
		if depth == 0 {
			var exp, unexp []int
			for _, k := range comps {
				if c.exported(k) {
					exp = append(exp, k)
				} else {
					unexp = append(unexp, k)
				}
			}
			drafts = append(drafts,
				draft{comps: exp, label: "roots", text: "exported API that no unit left to migrate calls; their ctx forms call still-sync callees until later phases"},
				draft{comps: unexp, label: "roots", text: "unexported units that no unit left to migrate calls"})
			continue
		}
		drafts = append(drafts, draft{comps: comps, label: "callees", text: "every caller was migrated in earlier phases"})
	}
	p := Plan{Strategy: TopDownName, Phases: split(c, drafts, opts.MaxUnits)}
	if len(p.Phases) > 0 {
		p.Notes = append(p.Notes, "top-down: a ctx form calls the sync form of a callee until that callee's phase; cancellation reaches the sinks only when the last phase is applied")
	}
	return p, nil
}

// Offload marks the units of a top-down plan whose ctx form is offloaded
// (--offload): those that call a unit of a later phase. Their ctx form
// runs the sync body in a goroutine and returns ctx.Err() when the
// context ends first; the phase that migrates their last callee removes
// the offload.
func Offload(p Plan) (Plan, error) {
	if p.Strategy != TopDownName {
		return p, fmt.Errorf("--offload goes with --strategy=%s, not %s", TopDownName, p.Strategy)
	}
	phaseOf := map[string]int{}
	for i, ph := range p.Phases {
		for _, u := range ph.Units {
			phaseOf[u.UnitID()] = i
		}
	}
	p.Offloaded = map[string]bool{}
	for i, ph := range p.Phases {
		for _, u := range ph.Units {
			for _, c := range u.CalleeIDs() {
				if later, ok := phaseOf[c]; ok && later > i {
					p.Offloaded[u.UnitID()] = true
					break
				}
			}
		}
	}
	if n := len(p.Offloaded); n > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("--offload: %d ctx forms run their sync body in a goroutine until their callees are migrated, and return ctx.Err() when the context ends first: that cancels the wait, not the work; the phase that migrates the last callee removes the offload", n))
	}
	return p, nil
}
