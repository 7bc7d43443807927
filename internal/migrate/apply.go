package migrate

import (
	"context"
	"fmt"
	"slices"
	"strings"

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
	// Phase is the ID of the phase to rewrite (or a prefix of it, see
	// journal.MatchID); "" is the next one. The plan is computed from the
	// code as it stands, so applied phases are gone from it. With a saved
	// plan (.smartmigrate/plan.json) it is a phase of the saved plan, and
	// the next is the first with units left.
	Phase string
	// Finalize rewrites the finalize phase instead of a phase of the plan:
	// shims get //go:fix inline, in-module callers of shims move to the
	// ctx forms, unexported shims left without callers are removed.
	Finalize bool
	// Deprecate also marks every shim "Deprecated: Use FooContext
	// instead." (with Finalize).
	Deprecate bool
	// UpgradeInterfaces makes calls through an exported interface of the
	// module, inside migrated functions, use the ctx form when the value
	// implements the optional FooerContext interface generated beside it.
	UpgradeInterfaces bool
	// through is --through of ApplyAll: the phase must be one of those
	// left (see NextPhase).
	through string
	// keepShims keeps every shim in the finalize phase: the removal of
	// the unused ones failed verification (see Apply).
	keepShims bool
}

// PhaseReport is one rewritten phase.
type PhaseReport struct {
	Module   string
	Dir      string
	Strategy string
	// Phase is the plan's phase; for the finalize phase, no units (Shims
	// says what changes).
	Phase strategies.Phase
	// Left are the IDs of the phases of the current plan not applied yet,
	// in order, this one included.
	Left []string
	// Offloaded are the IDs of the phase's units whose ctx form is
	// offloaded (--offload).
	Offloaded map[string]bool
	Rewrite   *rewrite.Result
	// Shims are, for the finalize phase, the shims it changes.
	Shims []rewrite.Shim
	// Patch is the phase as a unified diff, paths relative to the module
	// root.
	Patch    string
	Warnings []string
	// SavedPlan is true when the phase comes from .smartmigrate/plan.json.
	SavedPlan bool
	// Model is the module as it was analysed to rewrite the phase; whole
	// is true when every package was loaded.
	Model *analysis.Model
	whole bool
}

// FinalizeStrategy is the journal's strategy name for the finalize phase.
const FinalizeStrategy = "finalize"

// NextPhase plans the module as it stands and rewrites one phase, writing
// nothing. When there is nothing to do, it returns nil and says why:
// "nothing left to migrate", or that the saved plan's phase N is already
// applied.
//
// When .smartmigrate/plan.json exists, the phase comes from it: only its
// units are migrated (a unit deleted from the file is not), in its order,
// and a source that no longer matches its fingerprint is an error that
// lists the changed files.
func NextPhase(ctx context.Context, o ApplyOptions) (*PhaseReport, string, error) {
	root, err := load.FindRoot(o.dir())
	if err != nil {
		return nil, "", err
	}
	saved, err := savedPlan(root)
	if err != nil {
		return nil, "", err
	}
	if o.Finalize {
		return finalizePhase(ctx, o, root)
	}
	if o.Deprecate {
		return nil, "", optionErrorf("--deprecate goes with --finalize")
	}
	var warnings []string
	if saved != nil {
		if o.Strategy != "" && o.Strategy != saved.Strategy {
			warnings = append(warnings, fmt.Sprintf("following the saved %s plan in .smartmigrate/plan.json, not --strategy=%s", saved.Strategy, o.Strategy))
		}
		o.Strategy, o.Profile = saved.Strategy, ""
	}
	s, prof, err := prepare(o.PlanOptions)
	if err != nil {
		return nil, "", err
	}
	rep := &PhaseReport{Strategy: s.Name(), SavedPlan: saved != nil, whole: len(o.Patterns) == 0 || saved != nil, Warnings: warnings}
	patterns := o.Patterns
	if saved != nil && len(patterns) > 0 {
		// A unit outside the patterns would look migrated.
		rep.Warnings = append(rep.Warnings, "packages are ignored when following the saved plan: it covers the whole module")
		patterns = nil
	}
	model, linked, err := analyze(ctx, o.PlanOptions, patterns...)
	if err != nil {
		return nil, "", err
	}
	rep.Warnings = append(rep.Warnings, linked...)
	rep.Module, rep.Dir, rep.Model = model.Module, model.Load.Dir, model
	var why string
	if saved != nil {
		why, err = pickSaved(rep, saved, model, o.Phase)
	} else {
		why, err = pickPlanned(rep, model, s, prof, o)
	}
	if err != nil || why != "" {
		return nil, why, err
	}
	if o.through != "" {
		// The phase --through names must be ahead, or the run would not stop.
		if _, why, err := pickID(rep.Dir, rep.Left, "--through", o.through, "the plan"); err != nil || why != "" {
			return nil, why, err
		}
	}
	return rep, "", rewritePhase(rep, o)
}

// savedPlan reads .smartmigrate/plan.json and checks it was made from the
// source as it stands.
func savedPlan(root string) (*journal.SavedPlan, error) {
	saved, err := journal.LoadPlan(root)
	if err != nil || saved == nil {
		return nil, err
	}
	cur, err := journal.Fingerprint(root)
	if err != nil {
		return nil, err
	}
	if cur.Fingerprint != saved.Source.Fingerprint {
		return nil, &StalePlanError{Changed: journal.Changed(saved.Source, cur)}
	}
	return saved, nil
}

// pickPlanned sets rep's phase from the plan of the code as it stands.
func pickPlanned(rep *PhaseReport, model *analysis.Model, s strategies.Strategy, prof map[string]int64, o ApplyOptions) (string, error) {
	plan, warnings, err := order(model, s, prof, o.PlanOptions)
	if err != nil {
		return "", err
	}
	rep.Warnings = append(rep.Warnings, warnings...)
	if len(plan.Phases) == 0 {
		return "nothing left to migrate", nil
	}
	ids := make([]string, len(plan.Phases))
	for i, ph := range plan.Phases {
		ids[i] = ph.ID
	}
	i, why, err := pickID(rep.Dir, ids, "--phase", o.Phase, "the current "+s.Name()+" plan")
	if err != nil || why != "" {
		return why, err
	}
	rep.Phase, rep.Left, rep.Offloaded = plan.Phases[i], ids, plan.Offloaded
	return "", nil
}

// pickID is the index in ids of the phase that q (the value of flag)
// names: 0 when q is "", else the one q is the ID of, or a prefix of.
// When q names no phase of ids (the phases of what, "the current
// bottom-up plan"), it returns why there is nothing to do when the
// journal has q applied, and an option error otherwise.
func pickID(root string, ids []string, flag, q, what string) (int, string, error) {
	if q == "" {
		return 0, "", nil
	}
	found := -1
	for i, id := range ids {
		if !journal.MatchID(id, q) {
			continue
		}
		if found >= 0 {
			return 0, "", optionErrorf("%s %s is ambiguous: phases %s and %s both start so; give more of the ID", flag, q, ids[found], id)
		}
		found = i
	}
	if found >= 0 {
		return found, "", nil
	}
	if j, err := journal.Load(root); err == nil {
		if p, _ := j.FindID(q); p != nil && !p.Reverted {
			return 0, fmt.Sprintf("phase %s is already applied (smartmigrate revert --phase %s undoes it)", p.ID, p.ID), nil
		}
	}
	return 0, "", optionErrorf("%s %s: %s has no such phase (it has %s)", flag, q, what, strings.Join(ids, ", "))
}

// rewritePhase rewrites rep's phase.
func rewritePhase(rep *PhaseReport, o ApplyOptions) error {
	res, err := rewrite.Phase(rewrite.Input{Model: rep.Model, Units: Units(rep.Phase), Offload: o.Offload, UpgradeInterfaces: o.UpgradeInterfaces})
	if err != nil {
		return fmt.Errorf("rewrite phase %s: %w", rep.Phase.ID, err)
	}
	keepLineEndings(rep.Dir, res.Files)
	rep.Rewrite, rep.Patch = res, patch.Unified(res.Files)
	return nil
}

// StalePlanError is a saved plan made from other source.
type StalePlanError struct {
	// Changed are the files that differ, with what happened to each.
	Changed []string
}

func (e *StalePlanError) Error() string {
	return "the source changed since .smartmigrate/plan.json was saved; re-run smartmigrate plan --save (and edit it again if you had). Changed:\n  " + strings.Join(e.Changed, "\n  ")
}

// pickSaved sets rep's phase from the saved plan: the phase q names, or
// the first with units still to migrate; the units are those of the saved
// phase that the analysis still finds to migrate. It returns why there is
// nothing to do, or "".
func pickSaved(rep *PhaseReport, saved *journal.SavedPlan, model *analysis.Model, q string) (string, error) {
	current := map[string]*analysis.Unit{}
	for _, u := range model.Units {
		current[u.ID] = u
	}
	left := func(ph journal.SavedPhase) []strategies.Unit {
		var out []strategies.Unit
		for _, u := range ph.Units {
			if cu, ok := current[u.ID]; ok {
				out = append(out, cu)
			}
		}
		return out
	}
	var ids, all []string
	for _, ph := range saved.Phases {
		all = append(all, ph.ID)
		if len(left(ph)) > 0 {
			ids = append(ids, ph.ID)
		}
	}
	i := slices.IndexFunc(saved.Phases, func(ph journal.SavedPhase) bool { return len(left(ph)) > 0 })
	if q != "" {
		k, why, err := pickID(rep.Dir, all, "--phase", q, "the saved plan")
		if err != nil || why != "" {
			return why, err
		}
		if i = k; len(left(saved.Phases[i])) == 0 {
			return fmt.Sprintf("phase %s of the saved plan is already applied", saved.Phases[i].ID), nil
		}
	}
	if i < 0 {
		return "nothing left to migrate in the saved plan", nil
	}
	ph := saved.Phases[i]
	rep.Phase = strategies.Phase{ID: ph.ID, Reason: ph.Reason, Units: left(ph)}
	rep.Left = ids
	return "", nil
}

// finalizePhase rewrites the finalize phase of the module at root.
func finalizePhase(ctx context.Context, o ApplyOptions, root string) (*PhaseReport, string, error) {
	if o.Phase != "" {
		return nil, "", optionErrorf("--phase and --finalize do not go together")
	}
	rep := &PhaseReport{Strategy: FinalizeStrategy, whole: true}
	if len(o.Patterns) > 0 {
		rep.Warnings = append(rep.Warnings, "packages are ignored with --finalize: it covers the whole module")
	}
	o.Dir = root
	model, linked, err := analyze(ctx, o.PlanOptions)
	if err != nil {
		return nil, "", err
	}
	rep.Warnings = append(rep.Warnings, linked...)
	rep.Module, rep.Dir, rep.Model = model.Module, model.Load.Dir, model
	if n := len(model.Units); n > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d %s still to migrate; finalize covers the shims that exist now", n, plural(n, "unit is", "units are")))
	}
	out, shims, err := rewrite.Finalize(rewrite.FinalizeInput{Model: model, Deprecate: o.Deprecate, KeepShims: o.keepShims})
	if err != nil {
		return nil, "", fmt.Errorf("finalize: %w", err)
	}
	if len(out.Files) == 0 {
		if len(shims) == 0 {
			return nil, "no shims to finalize", nil
		}
		return nil, "already finalized: every shim has //go:fix inline and no in-module caller", nil
	}
	for _, s := range shims {
		if slices.Contains(out.Units, s.ID) {
			rep.Shims = append(rep.Shims, s)
		}
	}
	rep.Phase = strategies.Phase{ID: strategies.PhaseID(append([]string{FinalizeStrategy}, out.Units...)), Reason: finalizeReason(rep.Shims, out, o.Deprecate)}
	rep.Left = []string{rep.Phase.ID}
	keepLineEndings(rep.Dir, out.Files)
	rep.Rewrite, rep.Patch = out, patch.Unified(out.Files)
	return rep, "", nil
}

func finalizeReason(shims []rewrite.Shim, out *rewrite.Result, deprecate bool) string {
	removed := 0
	for _, s := range shims {
		if s.Removed {
			removed++
		}
	}
	kept, moved := len(shims)-removed, len(out.Of(rewrite.CodeMoved))
	reason := fmt.Sprintf("finalize: %d %s get %s so that go fix moves callers outside the module to the ctx forms; %d in-module %s moved; %d unexported %s removed",
		kept, plural(kept, "shim", "shims"), rewrite.InlineDirective, moved, plural(moved, "call", "calls"), removed, plural(removed, "shim", "shims"))
	if deprecate {
		reason += "; shims marked Deprecated"
	}
	return reason
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
