// Package migrate runs smartmigrate's jobs end to end: it loads the
// module, analyses it, asks a strategy for phases, and returns plain values
// for the command line to print.
package migrate

import (
	"context"
	"fmt"
	"os"
	"strings"

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
	// Strategy is a strategy name (strategies.Names).
	Strategy string
	// MaxUnits bounds the units of one phase; 0 is no bound.
	MaxUnits int
	// Profile is a pprof profile file giving heat to critical-path.
	Profile string
	// Context, when set, stops the load when it is done (Ctrl-C).
	Context context.Context `json:"-"`
	// Progress, when set, says what is loading (on a terminal).
	Progress *progress.Printer `json:"-"`
}

// loadOptions are the load options that o carries.
func (o PlanOptions) loadOptions() load.Options {
	return load.Options{Context: o.Context, Progress: o.Progress}
}

// LeftOut is a blocking function that no phase migrates.
type LeftOut struct {
	ID     string            `json:"id"`
	Pos    analysis.Position `json:"pos"`
	Reason string            `json:"reason"`
	Via    string            `json:"via,omitempty"`
}

// PlanReport is a plan with what the analysis found around it.
type PlanReport struct {
	Module  string           `json:"module"`
	Dir     string           `json:"-"`
	Summary analysis.Summary `json:"summary"`
	Plan    strategies.Plan  `json:"plan"`
	LeftOut []LeftOut        `json:"leftOut"`
	// SyncInterfaces are methods of exported interfaces that block through
	// an implementation: they never change, so calls through them stay
	// sync.
	SyncInterfaces []LeftOut `json:"syncInterfaces,omitempty"`
	Warnings       []string  `json:"warnings,omitempty"`
}

// Plan loads, analyses and plans the module in o.Dir.
func Plan(o PlanOptions) (*PlanReport, error) {
	strategy, err := strategies.ByName(o.Strategy)
	if err != nil {
		return nil, err
	}
	if o.MaxUnits < 0 {
		return nil, fmt.Errorf("--max-units must be 0 (no bound) or more, not %d", o.MaxUnits)
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
	mod, err := load.LoadWith(o.loadOptions(), dir, o.Patterns...)
	if err != nil {
		return nil, err
	}
	res, err := analysis.Analyze(mod)
	if err != nil {
		return nil, fmt.Errorf("analyse %s: %w", mod.Path, err)
	}
	rep := &PlanReport{Module: mod.Path, Dir: mod.Dir, Summary: res.Summary()}
	graph := GraphOf(res)
	opts := strategies.Options{MaxUnits: o.MaxUnits}
	if profileHeat != nil {
		if matchesAny(graph, profileHeat) {
			opts.Heat = profileHeat
		} else {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("profile %s matches no function to migrate in %s; using the static score", o.Profile, mod.Path))
		}
	}
	if rep.Plan, err = strategy.Plan(graph, opts); err != nil {
		return nil, fmt.Errorf("plan %s: %w", o.Strategy, err)
	}
	for _, f := range res.LeftOut() {
		rep.LeftOut = append(rep.LeftOut, LeftOut{ID: f.ID, Pos: f.Pos, Reason: f.Skip, Via: f.Via})
	}
	for _, f := range res.FixedInterfaces() {
		rep.SyncInterfaces = append(rep.SyncInterfaces, LeftOut{ID: f.ID, Pos: f.Pos, Reason: f.Skip, Via: f.Via})
	}
	return rep, nil
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
		for _, id := range append([]string{u.ID}, u.Funcs...) {
			if _, ok := h[strings.TrimSpace(id)]; ok {
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
	return journal.SavePlan(rep.Dir, journal.SavedPlan{
		Module:   rep.Module,
		Strategy: rep.Plan.Strategy,
		Phases:   rep.Plan.Phases,
		Source:   src,
	})
}
