package report

import (
	"time"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/journal"
	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/internal/verify"
	"github.com/smartmigrate/smartmigrate/rewrite"
	"github.com/smartmigrate/smartmigrate/strategies"
)

// The JSON output is made of these views of the model, never of the
// model's own types: what a script reads stays put when the model grows.

// PlanJSON is a plan as --json prints it.
type PlanJSON struct {
	Module         string           `json:"module"`
	Summary        analysis.Summary `json:"summary"`
	Plan           PlanBody         `json:"plan"`
	LeftOut        []FuncJSON       `json:"leftOut"`
	SyncInterfaces []FuncJSON       `json:"syncInterfaces"`
	Interfaces     []InterfaceJSON  `json:"interfaces"`
	Fields         []FieldJSON      `json:"fields"`
	Warnings       []string         `json:"warnings"`
}

// FieldJSON is a group of function-valued fields the module calls
// through (see analysis.FieldGroup): whether it migrates in place, what
// changes, or why it keeps its signature.
type FieldJSON struct {
	// Fields are the qualified names of the group's fields, lead first.
	Fields []string          `json:"fields"`
	Pos    analysis.Position `json:"pos"`
	// Migrates is true when the fields' type gains ctx in the phase of
	// Carriers (Done: it has one already); Reason says why not.
	Migrates bool           `json:"migrates"`
	Done     bool           `json:"done,omitempty"`
	Reason   *analysis.Skip `json:"reason,omitempty"`
	// CtxField, for an exported field that migrates, is the ctx field
	// written beside it (the field itself keeps its type).
	CtxField string `json:"ctxField,omitempty"`
	// Unresolved is the first assignment the analysis cannot follow.
	Unresolved *analysis.Unresolved `json:"unresolved,omitempty"`
	// Values counts the values stored into the group, Adapted those the
	// ctx does not reach (wrapped with the IgnoringCtx helper, or beside
	// a nil ctx field); Calls the calls through it.
	Values   int      `json:"values"`
	Adapted  int      `json:"adapted"`
	Calls    int      `json:"calls"`
	Carriers []string `json:"carriers"`
}

func fieldsJSON(groups []*analysis.FieldGroup) []FieldJSON {
	out := []FieldJSON{}
	for _, g := range groups {
		j := FieldJSON{Pos: g.At, Migrates: g.Migrates(), Done: g.Done, Unresolved: g.FirstUnresolved(),
			Values: len(g.Values), Adapted: g.Adapted(), Calls: len(g.Calls), Carriers: []string{}}
		for _, ff := range g.Fields {
			j.Fields = append(j.Fields, ff.Name)
		}
		if !g.Migrates() {
			keep := g.Keep
			j.Reason = &keep
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

// InterfaceJSON is an exported interface of the module whose methods
// block: what the migration does around it (see analysis.InterfaceUse).
type InterfaceJSON struct {
	Name string            `json:"name"`
	Pos  analysis.Position `json:"pos"`
	// Methods block without a ctx; the optional interface, Optional,
	// declares their ctx forms ("" when its name is taken).
	Methods         []string `json:"methods"`
	Optional        string   `json:"optional,omitempty"`
	Implementations []string `json:"implementations"`
	// Calls are the call sites through the interface that use the ctx
	// form when the value has one; Callers the functions they are in.
	Calls   []analysis.Position `json:"calls"`
	Callers []string            `json:"callers"`
}

func interfacesJSON(uses []*analysis.InterfaceUse) []InterfaceJSON {
	out := []InterfaceJSON{}
	for _, u := range uses {
		j := InterfaceJSON{Name: u.Iface.Name, Pos: u.At, Optional: u.OptionalName,
			Methods: []string{}, Implementations: orEmpty(u.Implementations), Calls: []analysis.Position{}, Callers: []string{}}
		for _, f := range u.Methods {
			j.Methods = append(j.Methods, f.Name)
		}
		for _, c := range u.Calls {
			j.Calls = append(j.Calls, c.At)
		}
		for _, f := range u.Callers {
			j.Callers = append(j.Callers, f.ID)
		}
		out = append(out, j)
	}
	return out
}

// PlanBody is the strategy's phases.
type PlanBody struct {
	Strategy string      `json:"strategy"`
	Phases   []PhaseJSON `json:"phases"`
	Notes    []string    `json:"notes"`
}

// PhaseJSON is one phase of a plan.
type PhaseJSON struct {
	ID     string     `json:"id"`
	Reason string     `json:"reason"`
	Units  []UnitJSON `json:"units"`
}

// UnitJSON is a unit to migrate.
type UnitJSON struct {
	ID        string          `json:"id"`
	Funcs     []string        `json:"funcs"`
	Package   string          `json:"package"`
	Kind      analysis.Kind   `json:"kind"`
	Exported  bool            `json:"exported"`
	Root      bool            `json:"root"`
	Callees   []string        `json:"callees"`
	Via       analysis.Via    `json:"via"`
	SinkCalls int             `json:"sinkCalls"`
	Callers   int             `json:"callers"`
	Risks     []analysis.Risk `json:"risks"`
	Offloaded bool            `json:"offloaded,omitempty"`
	// Reach says how far the unit's ctx will reach; Honoured and Missed
	// are the blocking operations of its bodies it will and will not.
	Reach    analysis.Reach `json:"reach"`
	Honoured []OpJSON       `json:"honoured"`
	Missed   []OpJSON       `json:"missed"`
}

// OpJSON is an operation a ctx reaches or misses.
type OpJSON struct {
	Op   string            `json:"op"`
	Wait analysis.WaitKind `json:"wait,omitempty"`
	At   analysis.Position `json:"at"`
	Why  string            `json:"why,omitempty"`
}

func opsJSON(ops []*analysis.Op) []OpJSON {
	out := []OpJSON{}
	for _, o := range ops {
		out = append(out, OpJSON{Op: o.Name(), Wait: o.Rule.Wait, At: o.At, Why: o.Stuck})
	}
	return out
}

// FuncJSON is a function left out, or a method of an exported interface.
type FuncJSON struct {
	ID     string            `json:"id"`
	Pos    analysis.Position `json:"pos"`
	Reason analysis.Skip     `json:"reason"`
	Text   string            `json:"text"`
	Via    analysis.Via      `json:"via"`
}

// Plan is rep as JSON.
func Plan(rep *migrate.PlanReport) PlanJSON {
	out := PlanJSON{
		Module:   rep.Module,
		Summary:  rep.Model.Summary(),
		Plan:     PlanBody{Strategy: rep.Plan.Strategy, Phases: phasesJSON(rep.Plan), Notes: orEmpty(rep.Plan.Notes)},
		LeftOut:  funcsJSON(rep.Model.LeftOut()),
		Warnings: orEmpty(rep.Warnings),
	}
	out.SyncInterfaces = funcsJSON(rep.Model.FixedInterfaces())
	out.Interfaces = interfacesJSON(rep.Model.InterfaceUses())
	out.Fields = fieldsJSON(rep.Model.FollowedFields())
	return out
}

func phasesJSON(p strategies.Plan) []PhaseJSON {
	out := []PhaseJSON{}
	for _, ph := range p.Phases {
		out = append(out, phaseJSON(ph, p.Offloaded))
	}
	return out
}

func phaseJSON(ph strategies.Phase, offloaded map[string]bool) PhaseJSON {
	out := PhaseJSON{ID: ph.ID, Reason: ph.Reason, Units: []UnitJSON{}}
	for _, u := range migrate.Units(ph) {
		out.Units = append(out.Units, unitJSON(u, offloaded[u.ID]))
	}
	return out
}

func unitJSON(u *analysis.Unit, offloaded bool) UnitJSON {
	return UnitJSON{
		ID: u.ID, Funcs: u.FuncIDs(), Package: u.Package, Kind: u.Kind, Exported: u.Exported,
		Root: len(u.Callers) == 0, Callees: orEmpty(u.CalleeIDs()), Via: u.Via,
		SinkCalls: u.SinkCalls, Callers: u.CallSites, Risks: orEmptyRisks(u.Risks), Offloaded: offloaded,
		Reach: u.Lead().Reach(), Honoured: opsJSON(u.Honoured()), Missed: opsJSON(u.Missed()),
	}
}

func funcsJSON(fs []*analysis.Func) []FuncJSON {
	out := []FuncJSON{}
	for _, f := range fs {
		out = append(out, FuncJSON{ID: f.ID, Pos: f.At, Reason: f.Skip, Text: f.Skip.String(), Via: f.Via})
	}
	return out
}

// PhaseReportJSON is a rewritten phase as apply --dry-run --json prints
// it.
type PhaseReportJSON struct {
	Module    string          `json:"module"`
	Strategy  string          `json:"strategy"`
	Phase     PhaseJSON       `json:"phase"`
	Shims     []rewrite.Shim  `json:"shims,omitempty"`
	Left      []string        `json:"left"`
	Report    *rewrite.Result `json:"report"`
	Patch     string          `json:"patch"`
	Warnings  []string        `json:"warnings"`
	SavedPlan bool            `json:"savedPlan,omitempty"`
}

// Phase is rep as JSON.
func Phase(rep *migrate.PhaseReport) PhaseReportJSON {
	return PhaseReportJSON{
		Module: rep.Module, Strategy: rep.Strategy, Phase: phaseJSON(rep.Phase, rep.Offloaded), Shims: rep.Shims,
		Left: orEmpty(rep.Left), Report: rep.Rewrite, Patch: rep.Patch, Warnings: orEmpty(rep.Warnings), SavedPlan: rep.SavedPlan,
	}
}

// AppliedJSON is a written phase as apply --json prints it.
type AppliedJSON struct {
	Phase   PhaseReportJSON `json:"phase"`
	Journal journal.Phase   `json:"journal"`
	Verify  *verify.Result  `json:"verify"`
	Commit  string          `json:"commit,omitempty"`
	// TookMS is how long the apply took, in milliseconds.
	TookMS int64 `json:"tookMs"`
}

// Applied is res as JSON.
func Applied(res *migrate.ApplyResult) AppliedJSON {
	return AppliedJSON{Phase: Phase(res.Report), Journal: res.Journal, Verify: res.Verify, Commit: res.Commit, TookMS: res.Took.Round(time.Millisecond).Milliseconds()}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func orEmptyRisks(r []analysis.Risk) []analysis.Risk {
	if r == nil {
		return []analysis.Risk{}
	}
	return r
}
