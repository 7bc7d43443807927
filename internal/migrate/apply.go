package migrate

import (
	"fmt"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
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
	Phase int
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
}

// RewritePhase plans the module as it stands and rewrites one phase,
// writing nothing. It returns nil and no error when nothing is left.
func RewritePhase(o ApplyOptions) (*PhaseReport, error) {
	strategy, err := strategies.ByName(o.Strategy)
	if err != nil {
		return nil, err
	}
	var profileHeat map[string]int64
	if o.Profile != "" {
		if profileHeat, err = readProfile(o.Profile); err != nil {
			return nil, err
		}
	}
	dir := o.Dir
	if dir == "" {
		dir = "."
	}
	mod, err := load.Load(dir, o.Patterns...)
	if err != nil {
		return nil, err
	}
	res, err := analysis.Analyze(mod)
	if err != nil {
		return nil, fmt.Errorf("analyse %s: %w", mod.Path, err)
	}
	graph := GraphOf(res)
	opts := strategies.Options{MaxUnits: o.MaxUnits}
	rep := &PhaseReport{Module: mod.Path, Dir: mod.Dir, Strategy: strategy.Name()}
	if profileHeat != nil && matchesAny(graph, profileHeat) {
		opts.Heat = profileHeat
	} else if profileHeat != nil {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("profile %s matches no function to migrate; using the static score", o.Profile))
	}
	plan, err := strategy.Plan(graph, opts)
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", o.Strategy, err)
	}
	if len(plan.Phases) == 0 {
		return nil, nil
	}
	n := o.Phase
	if n == 0 {
		n = 1
	}
	if n < 1 || n > len(plan.Phases) {
		return nil, fmt.Errorf("--phase %d: the current %s plan has phases 1 to %d (applied phases are no longer in it)", n, strategy.Name(), len(plan.Phases))
	}
	rep.Phase = plan.Phases[n-1]
	rep.Remaining = len(plan.Phases)
	var ids []string
	for _, u := range rep.Phase.Units {
		ids = append(ids, u.ID)
	}
	rep.Rewrite, err = rewrite.Phase(rewrite.Input{Module: mod, Analysis: res, Units: ids})
	if err != nil {
		return nil, fmt.Errorf("rewrite phase %d: %w", n, err)
	}
	rep.Patch = patch.Unified(rep.Rewrite.Files)
	return rep, nil
}
