package migrate

import (
	"fmt"
	"slices"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/journal"
	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/patch"
	"github.com/smartmigrate/smartmigrate/rewrite"
	"github.com/smartmigrate/smartmigrate/strategies"
)

// ApplyOptions say which phase to rewrite.
type ApplyOptions struct {
	PlanOptions
	// Phase is the phase of the current plan to rewrite, from 1; 0 is the
	// next one (1). The plan is computed from the code as it stands, so
	// applied phases are gone from it and phase 1 is always the next.
	// With a saved plan (.smartmigrate/plan.json) it is the saved plan's
	// phase number, and the next is the first with units left.
	Phase int
	// Finalize rewrites the finalize phase instead of a phase of the plan:
	// shims get //go:fix inline, in-module callers of shims move to the
	// ctx forms, unexported shims left without callers are removed.
	Finalize bool
	// Deprecate also marks every shim "Deprecated: Use FooContext
	// instead." (with Finalize).
	Deprecate bool
	// Offload (top-down only) makes the ctx form of a unit whose callees
	// are migrated in later phases run its sync body in a goroutine and
	// return ctx.Err() when the context ends first; the phase that
	// migrates its last callee removes the offload.
	Offload bool
	// UpgradeInterfaces makes calls through an exported interface of the
	// module, inside migrated functions, use the ctx form when the value
	// implements the optional FooerContext interface generated beside it.
	UpgradeInterfaces bool
}

// PhaseReport is one rewritten phase.
type PhaseReport struct {
	Module   string           `json:"module"`
	Dir      string           `json:"-"`
	Strategy string           `json:"strategy"`
	Phase    strategies.Phase `json:"phase"`
	// Remaining counts the phases of the current plan, this one included.
	Remaining int             `json:"remaining"`
	Rewrite   *rewrite.Result `json:"report"`
	// Patch is the phase as a unified diff, paths relative to the module
	// root.
	Patch    string   `json:"patch"`
	Warnings []string `json:"warnings,omitempty"`
	// SavedPlan is true when the phase comes from .smartmigrate/plan.json.
	SavedPlan bool `json:"savedPlan,omitempty"`

	// mod is the module as it was loaded to rewrite the phase; whole is
	// true when every package was loaded.
	mod   *load.Module
	whole bool
}

// RewritePhase plans the module as it stands and rewrites one phase,
// writing nothing. It returns nil and no error when nothing is left.
func RewritePhase(o ApplyOptions) (*PhaseReport, error) {
	rep, _, err := NextPhase(o)
	return rep, err
}

// NextPhase is RewritePhase that also says, when there is nothing to do,
// why: "nothing left to migrate", or that the saved plan's phase N is
// already applied.
//
// When .smartmigrate/plan.json exists, the phase comes from it: only its
// units are migrated (a unit deleted from the file is not), in its order,
// and a source that no longer matches its fingerprint is an error that
// lists the changed files.
func NextPhase(o ApplyOptions) (*PhaseReport, string, error) {
	dir := o.Dir
	if dir == "" {
		dir = "."
	}
	root, err := load.FindRoot(dir)
	if err != nil {
		return nil, "", err
	}
	saved, err := journal.LoadPlan(root)
	if err != nil {
		return nil, "", err
	}
	if saved != nil {
		cur, err := journal.Fingerprint(root)
		if err != nil {
			return nil, "", err
		}
		if cur.Fingerprint != saved.Source.Fingerprint {
			return nil, "", &StalePlanError{Changed: journal.Changed(saved.Source, cur)}
		}
	}
	if o.Finalize {
		return finalizePhase(o, root)
	}
	if o.Deprecate {
		return nil, "", fmt.Errorf("--deprecate goes with --finalize")
	}
	strategyName := o.Strategy
	if strategyName == "" {
		strategyName = strategies.BottomUpName
	}
	if saved != nil {
		strategyName = saved.Strategy
	}
	strategy, err := strategies.ByName(strategyName)
	if err != nil {
		return nil, "", err
	}
	var profileHeat map[string]int64
	if o.Profile != "" && saved == nil {
		if profileHeat, err = readProfile(o.Profile); err != nil {
			return nil, "", err
		}
	}
	patterns := o.Patterns
	var warnings []string
	if saved != nil && len(patterns) > 0 {
		// A unit outside the patterns would look migrated.
		warnings = append(warnings, "packages are ignored when following the saved plan: it covers the whole module")
		patterns = nil
	}
	mod, err := load.LoadWith(o.loadOptions(), dir, patterns...)
	if err != nil {
		return nil, "", err
	}
	res, err := analysis.Analyze(mod)
	if err != nil {
		return nil, "", fmt.Errorf("analyse %s: %w", mod.Path, err)
	}
	graph := GraphOf(res)
	rep := &PhaseReport{Module: mod.Path, Dir: mod.Dir, Strategy: strategy.Name(), Warnings: warnings, mod: mod, whole: len(patterns) == 0}
	if saved != nil {
		rep.SavedPlan = true
		if o.Strategy != "" && o.Strategy != saved.Strategy {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("following the saved %s plan in .smartmigrate/plan.json, not --strategy=%s", saved.Strategy, o.Strategy))
		}
		if why, err := pickSaved(rep, saved, graph, o.Phase); err != nil || why != "" {
			return nil, why, err
		}
	} else {
		opts := strategies.Options{MaxUnits: o.MaxUnits}
		if profileHeat != nil && matchesAny(graph, profileHeat) {
			opts.Heat = profileHeat
		} else if profileHeat != nil {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("profile %s matches no function to migrate; using the static score", o.Profile))
		}
		plan, err := strategy.Plan(graph, opts)
		if err != nil {
			return nil, "", fmt.Errorf("plan %s: %w", strategyName, err)
		}
		if o.Offload {
			if plan, err = strategies.Offload(plan); err != nil {
				return nil, "", err
			}
		}
		if len(plan.Phases) == 0 {
			return nil, "nothing left to migrate", nil
		}
		n := o.Phase
		if n == 0 {
			n = 1
		}
		if n < 1 || n > len(plan.Phases) {
			return nil, "", fmt.Errorf("--phase %d: the current %s plan has phases 1 to %d (applied phases are no longer in it)", n, strategy.Name(), len(plan.Phases))
		}
		rep.Phase = plan.Phases[n-1]
		rep.Remaining = len(plan.Phases)
	}
	var ids []string
	for _, u := range rep.Phase.Units {
		ids = append(ids, u.ID)
	}
	rep.Rewrite, err = rewrite.Phase(rewrite.Input{Module: mod, Analysis: res, Units: ids, Offload: o.Offload, UpgradeInterfaces: o.UpgradeInterfaces})
	if err != nil {
		return nil, "", fmt.Errorf("rewrite phase %d: %w", rep.Phase.Number, err)
	}
	rep.Patch = patch.Unified(rep.Rewrite.Files)
	return rep, "", nil
}

// StalePlanError is a saved plan made from other source.
type StalePlanError struct {
	// Changed are the files that differ, with what happened to each.
	Changed []string
}

func (e *StalePlanError) Error() string {
	s := "the source changed since .smartmigrate/plan.json was saved; re-run smartmigrate plan --save (and edit it again if you had). Changed:"
	for _, c := range e.Changed {
		s += "\n  " + c
	}
	return s
}

// pickSaved sets rep's phase from the saved plan: phase n, or the first
// with units still to migrate; the units are those of the saved phase that
// the analysis still finds to migrate. It returns why there is nothing to
// do, or "".
func pickSaved(rep *PhaseReport, saved *journal.SavedPlan, g strategies.Graph, n int) (string, error) {
	current := map[string]strategies.Unit{}
	for _, u := range g.Units {
		current[u.ID] = u
	}
	left := func(ph strategies.Phase) []strategies.Unit {
		var out []strategies.Unit
		for _, u := range ph.Units {
			if cu, ok := current[u.ID]; ok {
				out = append(out, cu)
			}
		}
		return out
	}
	remaining := 0
	for _, ph := range saved.Phases {
		if len(left(ph)) > 0 {
			remaining++
		}
	}
	if n != 0 {
		i := slices.IndexFunc(saved.Phases, func(ph strategies.Phase) bool { return ph.Number == n })
		if i < 0 {
			return "", fmt.Errorf("--phase %d: the saved plan has no phase %d", n, n)
		}
		units := left(saved.Phases[i])
		if len(units) == 0 {
			return fmt.Sprintf("phase %d of the saved plan is already applied", n), nil
		}
		rep.Phase = strategies.Phase{Number: n, Reason: saved.Phases[i].Reason, Units: units}
		rep.Remaining = remaining
		return "", nil
	}
	for _, ph := range saved.Phases {
		if units := left(ph); len(units) > 0 {
			rep.Phase = strategies.Phase{Number: ph.Number, Reason: ph.Reason, Units: units}
			rep.Remaining = remaining
			return "", nil
		}
	}
	return "nothing left to migrate in the saved plan", nil
}

// FinalizeStrategy is the journal's strategy name for the finalize phase.
const FinalizeStrategy = "finalize"

// finalizePhase rewrites the finalize phase of the module at root.
func finalizePhase(o ApplyOptions, root string) (*PhaseReport, string, error) {
	if o.Phase != 0 {
		return nil, "", fmt.Errorf("--phase and --finalize do not go together")
	}
	var warnings []string
	if len(o.Patterns) > 0 {
		warnings = append(warnings, "packages are ignored with --finalize: it covers the whole module")
	}
	mod, err := load.LoadWith(o.loadOptions(), root)
	if err != nil {
		return nil, "", err
	}
	res, err := analysis.Analyze(mod)
	if err != nil {
		return nil, "", fmt.Errorf("analyse %s: %w", mod.Path, err)
	}
	if n := len(res.Units); n > 0 {
		warnings = append(warnings, fmt.Sprintf("%d %s still to migrate; finalize covers the shims that exist now", n, plural(n, "unit is", "units are")))
	}
	out, shims, err := rewrite.Finalize(rewrite.FinalizeInput{Module: mod, Analysis: res, Deprecate: o.Deprecate})
	if err != nil {
		return nil, "", fmt.Errorf("finalize: %w", err)
	}
	if len(out.Files) == 0 {
		if len(shims) == 0 {
			return nil, "no shims to finalize", nil
		}
		return nil, "already finalized: every shim has //go:fix inline and no in-module caller", nil
	}
	rep := &PhaseReport{Module: mod.Path, Dir: mod.Dir, Strategy: FinalizeStrategy, Warnings: warnings, mod: mod, whole: true, Remaining: 1}
	removed := 0
	changed := map[string]bool{}
	for _, id := range out.Units {
		changed[id] = true
	}
	for _, s := range shims {
		if !changed[s.ID] {
			continue
		}
		u := strategies.Unit{ID: s.ID, Funcs: []string{s.ID}, Kind: strategies.Finalize, Exported: s.Exported}
		if s.Removed {
			u.Risks = append(u.Risks, "removed: unexported, no caller left")
			removed++
		}
		rep.Phase.Units = append(rep.Phase.Units, u)
	}
	rep.Phase.Number = 1
	rep.Phase.Reason = fmt.Sprintf("finalize: %d %s get %s so that go fix moves callers outside the module to the ctx forms; %d in-module %s moved; %d unexported %s removed",
		len(rep.Phase.Units)-removed, plural(len(rep.Phase.Units)-removed, "shim", "shims"), rewrite.InlineDirective,
		len(out.Moved), plural(len(out.Moved), "call", "calls"), removed, plural(removed, "shim", "shims"))
	if o.Deprecate {
		rep.Phase.Reason += "; shims marked Deprecated"
	}
	rep.Rewrite = out
	rep.Patch = patch.Unified(out.Files)
	return rep, "", nil
}
