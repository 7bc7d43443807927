package report

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/smartmigrate/smartmigrate/cmd/smartmigrate/schema"
	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/journal"
	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/internal/verify"
	"github.com/smartmigrate/smartmigrate/rewrite"
	"github.com/smartmigrate/smartmigrate/strategies"
)

// The JSON output is the documents of package schema, made here from the
// model: what a script reads stays put when the model grows.

// Plan is rep as plan --json prints it.
func Plan(rep *migrate.PlanReport) schema.Plan {
	return schema.Plan{
		Version:        schema.Version,
		Module:         rep.Module,
		Strategy:       rep.Plan.Strategy,
		Summary:        summary(rep.Model.Summary()),
		Phases:         phases(rep.Plan),
		Notes:          orEmpty(rep.Plan.Notes),
		LeftOut:        funcs(rep.Model.LeftOut()),
		SyncInterfaces: funcs(rep.Model.FixedInterfaces()),
		Interfaces:     interfaces(rep.Model.InterfaceUses()),
		Fields:         fieldGroups(rep.Model.FollowedFields()),
		Warnings:       orEmpty(rep.Warnings),
	}
}

func summary(s analysis.Summary) schema.Summary {
	out := schema.Summary{
		ContextAware: s.ContextAware, Blocking: s.Blocking, ToMigrate: s.ToMigrate, LeftOut: s.LeftOut,
		Units: s.Units, Cancellable: cancellable(s.Cancellable), Skipped: []schema.CodeCount{},
	}
	for code, n := range s.Skipped {
		out.Skipped = append(out.Skipped, schema.CodeCount{Code: string(code), Label: code.Label(), Count: n})
	}
	slices.SortFunc(out.Skipped, func(a, b schema.CodeCount) int { return strings.Compare(a.Code, b.Code) })
	return out
}

func cancellable(m map[analysis.Reach]int) schema.Cancellable {
	return schema.Cancellable{Full: m[analysis.ReachFull], Partial: m[analysis.ReachPartial], None: m[analysis.ReachNone]}
}

func phases(p strategies.Plan) []schema.Phase {
	out := []schema.Phase{}
	for _, ph := range p.Phases {
		out = append(out, phase(ph, p.Offloaded))
	}
	return out
}

func phase(ph strategies.Phase, offloaded map[string]bool) schema.Phase {
	out := schema.Phase{ID: ph.ID, Reason: ph.Reason, Units: []schema.Unit{}}
	for _, u := range migrate.Units(ph) {
		out.Units = append(out.Units, unit(u, offloaded[u.ID]))
	}
	return out
}

func unit(u *analysis.Unit, offloaded bool) schema.Unit {
	return schema.Unit{
		ID: u.ID, Funcs: orEmpty(u.FuncIDs()), Package: u.Package, Kind: string(u.Kind), Exported: u.Exported,
		Root: len(u.Callers) == 0, Callees: orEmpty(u.CalleeIDs()), Sink: u.Via.Sink(),
		SinkCalls: u.SinkCalls, Callers: u.CallSites, Risks: analysis.Risks(u.Risks), Offloaded: offloaded,
		Reach: string(u.Lead().Reach()), Honoured: ops(u.Honoured()), Missed: ops(u.Missed()),
	}
}

func ops(ops []*analysis.Op) []schema.Op {
	out := []schema.Op{}
	for _, o := range ops {
		out = append(out, schema.Op{Op: o.Name(), Wait: string(o.Rule.Wait), Pos: o.At.Schema(), Why: o.Stuck})
	}
	return out
}

func funcs(fs []*analysis.Func) []schema.Func {
	out := []schema.Func{}
	for _, f := range fs {
		j := schema.Func{ID: f.ID, Pos: f.At.Schema(), Reason: f.Skip.Item()}
		if f.Via.Call != "" {
			s := f.Via.Sink()
			j.Sink = &s
		}
		out = append(out, j)
	}
	return out
}

func interfaces(uses []*analysis.InterfaceUse) []schema.Interface {
	out := []schema.Interface{}
	for _, u := range uses {
		j := schema.Interface{Name: u.Iface.Name, Pos: u.At.Schema(), Optional: u.OptionalName,
			Methods: []string{}, Implementations: orEmpty(u.Implementations), Calls: []schema.Position{}, Callers: []string{}}
		for _, f := range u.Methods {
			j.Methods = append(j.Methods, f.Name)
		}
		for _, c := range u.Calls {
			j.Calls = append(j.Calls, c.At.Schema())
		}
		for _, f := range u.Callers {
			j.Callers = append(j.Callers, f.ID)
		}
		out = append(out, j)
	}
	return out
}

func fieldGroups(groups []*analysis.FieldGroup) []schema.FieldGroup {
	out := []schema.FieldGroup{}
	for _, g := range groups {
		j := schema.FieldGroup{Pos: g.At.Schema(), Migrates: g.Migrates(), Done: g.Done, Fields: []string{},
			Values: len(g.Values), Adapted: g.Adapted(), Calls: len(g.Calls), Carriers: []string{}}
		for _, ff := range g.Fields {
			j.Fields = append(j.Fields, ff.Name)
		}
		if !g.Migrates() {
			keep := g.Keep.Item()
			j.Reason = &keep
		}
		if u := g.FirstUnresolved(); u != nil {
			item := u.Item()
			j.Unresolved = &item
		}
		if g.Sibling != nil {
			j.CtxField = g.Sibling.Name
		}
		for _, u := range g.Carriers {
			j.Carriers = append(j.Carriers, u.ID)
		}
		out = append(out, j)
	}
	return out
}

// Phase is rep as apply --dry-run --json prints it.
func Phase(rep *migrate.PhaseReport) schema.Apply {
	return schema.Apply{
		Version: schema.Version, Module: rep.Module, Strategy: rep.Strategy, DryRun: true,
		Phase: phase(rep.Phase, rep.Offloaded), Left: orEmpty(rep.Left), SavedPlan: rep.SavedPlan,
		Shims: shims(rep.Shims), Rewrite: rewriteJSON(rep.Rewrite), Patch: rep.Patch, Warnings: orEmpty(rep.Warnings),
	}
}

// Applied is res as apply --json prints it.
func Applied(res *migrate.ApplyResult) schema.Apply {
	out := Phase(res.Report)
	jp := res.Journal
	out.DryRun, out.Journal, out.Verify, out.Commit = false, &jp, verifyJSON(res.Verify), res.Commit
	out.TookMs = ms(res.Took)
	return out
}

func ms(d time.Duration) int64 { return d.Round(time.Millisecond).Milliseconds() }

func shims(ss []rewrite.Shim) []schema.Shim {
	out := []schema.Shim{}
	for _, s := range ss {
		out = append(out, schema.Shim{ID: s.ID, Form: s.Form, Pos: s.Pos.Schema(), Exported: s.Exported, Removed: s.Removed})
	}
	return out
}

func rewriteJSON(r *rewrite.Result) schema.Rewrite {
	out := schema.Rewrite{Units: []string{}, Items: []schema.RewriteItem{}, Created: []schema.Decl{}, Uses: []string{}}
	if r == nil {
		return out
	}
	out.Units, out.Uses = orEmpty(r.Units), orEmpty(r.Uses)
	for _, d := range r.Diagnostics {
		out.Items = append(out.Items, schema.RewriteItem{Code: string(d.Code), Message: d.Message, Pos: d.Pos.Schema(), Func: d.Func})
	}
	for _, d := range r.Created {
		out.Created = append(out.Created, schema.Decl{Kind: string(d.Kind), Name: d.Name, Func: d.Func})
	}
	return out
}

func verifyJSON(v *verify.Result) *schema.Verify {
	if v == nil {
		return nil
	}
	out := &schema.Verify{Steps: []schema.Step{}, Compatible: []schema.APIChanges{}}
	for _, s := range v.Steps {
		out.Steps = append(out.Steps, schema.Step{Name: s.Name, TookMs: ms(s.Duration), Note: s.Note, Preexisting: s.Preexisting})
	}
	for _, pkg := range sortedMapKeys(v.Compatible) {
		out.Compatible = append(out.Compatible, schema.APIChanges{Package: pkg, Changes: orEmpty(v.Compatible[pkg])})
	}
	return out
}

// Revert is what revert --json prints: rs, newest first, and the commit
// --commit made.
func Revert(rs []journal.Reverted, commit string) schema.Revert {
	out := schema.Revert{Version: schema.Version, Reverted: []schema.Reverted{}, Commit: commit}
	for _, r := range rs {
		out.Reverted = append(out.Reverted, schema.Reverted{Phase: r.Phase, Exact: r.Exact, ByHand: r.ByHand})
	}
	return out
}

// Status is rep as status --json prints it.
func Status(rep *migrate.StatusReport) schema.Status {
	out := schema.Status{Version: schema.Version, Module: rep.Module, Phases: rep.Phases,
		Packages: []schema.PackageStatus{}, Total: packageStatus(rep.Total), Uncommitted: orEmpty(rep.Uncommitted)}
	if out.Phases == nil {
		out.Phases = []schema.JournalPhase{}
	}
	for _, p := range rep.Packages {
		out.Packages = append(out.Packages, packageStatus(p))
	}
	sort.Slice(out.Packages, func(i, j int) bool { return out.Packages[i].Package < out.Packages[j].Package })
	return out
}

func packageStatus(p migrate.PackageStatus) schema.PackageStatus {
	return schema.PackageStatus{Package: p.Package, ContextAware: p.ContextAware, Blocking: p.Blocking,
		ToMigrate: p.ToMigrate, LeftOut: p.LeftOut, Cancellable: cancellable(p.Cancellable), TODO: p.TODO}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
