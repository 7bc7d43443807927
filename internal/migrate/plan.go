// Package migrate runs smartmigrate's jobs end to end, as one straight
// pipeline: load the module, build the model, order its units with a
// strategy, rewrite a phase, verify it, write it through the journal.
// Each step runs once per job; the context is every job's first
// parameter.
package migrate

import (
	"context"
	"fmt"
	"os"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/heat"
	"github.com/smartmigrate/smartmigrate/internal/journal"
	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/progress"
	"github.com/smartmigrate/smartmigrate/strategies"
)

// PlanOptions say what to plan.
type PlanOptions struct {
	// Dir is a folder inside the module (the -C flag); "" is ".".
	Dir string
	// Patterns select packages, relative to Dir ("./..." when empty).
	Patterns []string
	// Strategy is a strategy name (strategies.Names); "" is bottom-up.
	Strategy string
	// MaxUnits bounds the units of one phase; 0 is no bound.
	MaxUnits int
	// Profile is a pprof profile file giving heat to critical-path.
	Profile string
	// Offload (top-down only) makes the ctx form of a unit whose callees
	// are migrated in later phases run its sync body in a goroutine and
	// return ctx.Err() when the context ends first; the phase that
	// migrates its last callee removes the offload.
	Offload bool
	// Progress, when set, says what is loading (on a terminal).
	Progress *progress.Printer
	// loaded, when set, is the module as the previous phase of ApplyAll
	// left it (verified in process): planned from without a load.
	loaded *load.Module
}

func (o PlanOptions) dir() string {
	if o.Dir == "" {
		return "."
	}
	return o.Dir
}

// PlanReport is a plan with the model it orders.
type PlanReport struct {
	Module string
	Dir    string
	Model  *analysis.Model
	Plan   strategies.Plan
	// Warnings are what the job noticed and went on with (a profile that
	// matches nothing).
	Warnings []string
}

// Plan loads, analyses and plans the module in o.Dir.
func Plan(ctx context.Context, o PlanOptions) (*PlanReport, error) {
	s, prof, err := prepare(o)
	if err != nil {
		return nil, err
	}
	model, linked, err := analyze(ctx, o, o.Patterns...)
	if err != nil {
		return nil, err
	}
	rep := &PlanReport{Module: model.Module, Dir: model.Load.Dir, Model: model}
	rep.Plan, rep.Warnings, err = order(model, s, prof, o)
	rep.Warnings = append(linked, rep.Warnings...)
	return rep, err
}

// prepare checks the options that need no load and reads the profile.
func prepare(o PlanOptions) (strategies.Strategy, map[string]int64, error) {
	name := o.Strategy
	if name == "" {
		name = strategies.BottomUpName
	}
	s, err := strategies.ByName(name)
	if err != nil {
		return nil, nil, &OptionError{Msg: "--strategy: " + err.Error()}
	}
	if o.MaxUnits < 0 {
		return nil, nil, optionErrorf("--max-units must be 0 (no bound) or more, not %d", o.MaxUnits)
	}
	if o.Offload && name != strategies.TopDownName {
		return nil, nil, optionErrorf("--offload goes with --strategy=%s, not %s", strategies.TopDownName, name)
	}
	if o.Profile == "" {
		return s, nil, nil
	}
	prof, err := readProfile(o.Profile)
	return s, prof, err
}

// analyze loads the module and builds its model, without the packages
// that do not type-check, and leaving out the units that would write
// through a symbolic link (see leaveOutLinked); the warnings name the
// broken packages and the links.
func analyze(ctx context.Context, o PlanOptions, patterns ...string) (*analysis.Model, []string, error) {
	mod := o.loaded
	if mod == nil || len(patterns) > 0 {
		var err error
		if mod, err = load.LoadWith(ctx, load.Options{Progress: o.Progress, Partial: true}, o.dir(), patterns...); err != nil {
			return nil, nil, err
		}
	}
	model, err := analysis.Analyze(mod)
	if err != nil {
		return nil, nil, fmt.Errorf("analyse %s: %w", mod.Path, err)
	}
	var warnings []string
	for _, b := range mod.Broken {
		warnings = append(warnings, b.String())
	}
	return model, append(warnings, leaveOutLinked(model)...), nil
}

// order runs the strategy over the model's units.
func order(model *analysis.Model, s strategies.Strategy, prof map[string]int64, o PlanOptions) (strategies.Plan, []string, error) {
	var warnings []string
	graph := strategies.GraphOf(model.Units)
	opts := strategies.Options{MaxUnits: o.MaxUnits}
	if prof != nil {
		if matchesAny(graph, prof) {
			opts.Heat = prof
		} else {
			warnings = append(warnings, fmt.Sprintf("profile %s matches no function to migrate in %s; using the static score", o.Profile, model.Module))
		}
	}
	plan, err := s.Plan(graph, opts)
	if err != nil {
		return plan, nil, fmt.Errorf("plan %s: %w", s.Name(), err)
	}
	if o.Offload {
		plan, err = strategies.Offload(plan)
	}
	return plan, warnings, err
}

func readProfile(path string) (map[string]int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read profile: %w", err)
	}
	defer f.Close()
	h, err := heat.Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return h, nil
}

// matchesAny reports whether the profile names any function of the graph.
func matchesAny(g strategies.Graph, h map[string]int64) bool {
	for _, u := range g.Units {
		for _, id := range append([]string{u.UnitID()}, u.FuncIDs()...) {
			if _, ok := h[id]; ok {
				return true
			}
		}
	}
	return false
}

// SavePlan writes rep to .smartmigrate/plan.json with the fingerprint of
// the source it was made from, and returns the file's path.
func SavePlan(rep *PlanReport) (string, error) {
	src, err := journal.Fingerprint(rep.Dir)
	if err != nil {
		return "", err
	}
	sp := journal.SavedPlan{Module: rep.Module, Strategy: rep.Plan.Strategy, Source: src, Phases: []journal.SavedPhase{}}
	for _, ph := range rep.Plan.Phases {
		saved := journal.SavedPhase{ID: ph.ID, Reason: ph.Reason, Units: []journal.SavedUnit{}}
		for _, u := range Units(ph) {
			saved.Units = append(saved.Units, savedUnit(u))
		}
		sp.Phases = append(sp.Phases, saved)
	}
	return journal.SavePlan(rep.Dir, sp)
}

func savedUnit(u *analysis.Unit) journal.SavedUnit {
	return journal.SavedUnit{ID: u.ID, Funcs: u.FuncIDs(), Kind: string(u.Kind), Exported: u.Exported, Sink: u.Via.Sink(), Risks: analysis.Risks(u.Risks)}
}

// Units are a phase's units as the model has them.
func Units(ph strategies.Phase) []*analysis.Unit {
	out := make([]*analysis.Unit, len(ph.Units))
	for i, u := range ph.Units {
		out[i] = u.(*analysis.Unit)
	}
	return out
}
