// Package report prints smartmigrate's results for people (aligned text)
// and for programs (JSON).
package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/smartmigrate/smartmigrate/cmd/smartmigrate/schema"
	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/rewrite"
	"github.com/smartmigrate/smartmigrate/strategies"
)

// JSON writes a document of package schema (see schema.Write).
func JSON(w io.Writer, doc any) error { return schema.Write(w, doc) }

// Short trims the module path from a qualified name:
// "example.com/shop/api.(*Client).Fetch" -> "api.(*Client).Fetch".
func Short(module, id string) string { return analysis.ShortID(module, id) }

// KindLabel says what a unit's change adds: "+FetchContext, shim" or
// "in place".
func KindLabel(u *analysis.Unit) string {
	if u.Kind == analysis.Sibling {
		return "+" + u.Lead().CtxFormName() + ", shim"
	}
	if n := len(u.Funcs); n > 1 {
		return fmt.Sprintf("in place, %d decls", n)
	}
	return "in place"
}

// ShimLabel says what the finalize phase does to a shim.
func ShimLabel(s rewrite.Shim) string {
	if s.Removed {
		return "shim removed"
	}
	return "shim finalized"
}

// risks are a unit's notes for the reviewer, the plan's own included.
func risks(u *analysis.Unit, plan strategies.Plan) []string {
	var out []string
	for _, r := range u.Risks {
		out = append(out, r.String())
	}
	if plan.Offloaded[u.ID] {
		out = append(out, OffloadRisk)
	}
	return out
}

// maxOps bounds the operations a plan line lists.
const maxOps = 4

// opsText lists operations for people, at most maxOps of them, with why
// the ctx misses them when why is set.
func opsText(ops []*analysis.Op, why bool) string {
	var parts []string
	for i, o := range ops {
		if i == maxOps {
			parts = append(parts, fmt.Sprintf("and %d more", len(ops)-maxOps))
			break
		}
		t := o.Describe()
		if why && o.Stuck != "" {
			t += " (" + o.Stuck + ")"
		}
		parts = append(parts, t)
	}
	return strings.Join(parts, ", ")
}

// OffloadRisk notes a unit whose ctx form is offloaded.
const OffloadRisk = "offloaded: its ctx form runs the sync body in a goroutine until its callees are migrated; cancelling ctx ends the wait, not the work"

// PlanText writes a plan for people.
func PlanText(w io.Writer, rep *migrate.PlanReport) error {
	s := rep.Model.Summary()
	p := &printer{w: w}
	p.f("%s: %s plan\n\n", rep.Module, rep.Plan.Strategy)
	p.f("blocking functions without a context: %d\n", s.Blocking)
	p.f("  to migrate:   %d in %d units\n", s.ToMigrate, s.Units)
	p.f("  left out:     %d", s.LeftOut)
	if len(s.Skipped) > 0 {
		parts := skipLabels(s.Skipped)
		p.f(" (%s)", strings.Join(parts, ", "))
	}
	p.f("\nalready context-aware: %d\n", s.ContextAware)
	for _, n := range rep.Plan.Notes {
		p.f("note: %s\n", n)
	}
	if len(rep.Plan.Phases) == 0 {
		p.f("\nnothing left to migrate\n")
	}
	for _, ph := range rep.Plan.Phases {
		p.f("\nphase %s: %s (%d %s)\n", ph.ID, ph.Reason, len(ph.Units), plural(len(ph.Units), "unit", "units"))
		units := migrate.Units(ph)
		nameW, kindW := 0, 0
		for _, u := range units {
			nameW = max(nameW, len(Short(rep.Module, u.ID)))
			kindW = max(kindW, len(KindLabel(u)))
		}
		for _, u := range units {
			p.f("  %-*s  %-*s  %s\n", nameW, Short(rep.Module, u.ID), kindW, KindLabel(u), u.Via)
			if len(u.Funcs) > 1 {
				var others []string
				for _, f := range u.Funcs[1:] {
					others = append(others, Short(rep.Module, f.ID))
				}
				p.f("      with %s\n", strings.Join(others, ", "))
			}
			// A unit whose only operation is its first sink says it
			// in its line already.
			if h := u.Honoured(); len(h) > 1 || len(h) == 1 && h[0].Rule.Wait != analysis.WaitNone {
				p.f("      ctx reaches: %s\n", opsText(h, false))
			}
			if m := u.Missed(); len(m) > 0 {
				p.f("      ctx does not reach: %s\n", opsText(m, true))
			}
			for _, r := range risks(u, rep.Plan) {
				p.f("      risk: %s\n", r)
			}
		}
	}
	if err := leftOutText(p, rep); err != nil {
		return err
	}
	return p.err
}

// leftOutText writes the functions no phase migrates, and the methods of
// exported interfaces that stay sync.
func leftOutText(p *printer, rep *migrate.PlanReport) error {
	if left := rep.Model.LeftOut(); len(left) > 0 {
		p.f("\nleft out (%d):\n", len(left))
		tw := tabwriter.NewWriter(p.w, 0, 8, 2, ' ', 0)
		for _, f := range left {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", Short(rep.Module, f.ID), f.At.Short(), f.Skip)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if fixed := rep.Model.FixedInterfaces(); len(fixed) > 0 {
		p.f("\ninterface methods that block and keep their signature (%d):\n", len(fixed))
		tw := tabwriter.NewWriter(p.w, 0, 8, 2, ' ', 0)
		for _, f := range fixed {
			why := "blocks via " + f.Via.String()
			if f.Skip.Code != analysis.SkipExportedIface {
				why = f.Skip.String()
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", Short(rep.Module, f.ID), f.At.Short(), why)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	interfacesText(p, rep)
	fieldsText(p, rep)
	return nil
}

// fieldsText writes the function-valued fields the module calls through:
// which change their type in place, in which phase and how much, and
// which keep their signature, and why.
func fieldsText(p *printer, rep *migrate.PlanReport) {
	groups := rep.Model.FollowedFields()
	if len(groups) == 0 {
		return
	}
	phaseOf := map[string]string{}
	for _, ph := range rep.Plan.Phases {
		for _, u := range ph.Units {
			phaseOf[u.UnitID()] = ph.ID
		}
	}
	p.f("\nfunc fields called through (%d):\n", len(groups))
	for _, g := range groups {
		var names []string
		for _, ff := range g.Fields {
			names = append(names, Short(rep.Module, ff.Name))
		}
		p.f("  %s  %s  ", strings.Join(names, ", "), g.At.Short())
		switch {
		case g.Migrates():
			where := ""
			if id := phaseOf[g.Carriers[0].ID]; id != "" {
				where = " in phase " + id
			}
			adapted := ""
			if n := g.Adapted(); n > 0 {
				adapted = fmt.Sprintf(", %d adapted to ignore the ctx", n)
			}
			how := "ctx first, in place"
			if g.Sibling != nil {
				how = "keeps its type, gets " + g.Sibling.Name + " beside it"
				if n := g.Adapted(); n > 0 {
					adapted = fmt.Sprintf(", %d without a ctx form", n)
				}
			}
			p.f("%s%s: %d %s stored%s, %d %s through it\n", how, where,
				len(g.Values), plural(len(g.Values), "value", "values"), adapted, len(g.Calls), plural(len(g.Calls), "call", "calls"))
		default:
			p.f("keeps its signature: %s", g.Keep.Detail)
			if u := g.FirstUnresolved(); u != nil && u.At != g.At {
				p.f("; %s at %s", u.Why, u.At.Short())
			}
			p.f("\n")
		}
	}
}

// interfacesText writes, per exported interface that blocks, what the
// migration does around it: the interface stays, its calls use the ctx
// form when the value has one, and what --upgrade-interfaces would add.
func interfacesText(p *printer, rep *migrate.PlanReport) {
	uses := rep.Model.InterfaceUses()
	if len(uses) == 0 {
		return
	}
	p.f("\nexported interfaces that block, never changed (%d):\n", len(uses))
	for _, u := range uses {
		var methods []string
		for _, f := range u.Methods {
			methods = append(methods, f.Name)
		}
		p.f("  %s  %s  blocking methods: %s\n", Short(rep.Module, u.Iface.Name), u.At.Short(), strings.Join(methods, ", "))
		if len(u.Implementations) > 0 {
			p.f("      implemented in the module by %s\n", strings.Join(u.Implementations, ", "))
		}
		if n := len(u.Calls); n > 0 {
			p.f("      %d %s through it, in %d %s the plan migrates, %s the ctx form when the value has one (an unexported helper, no new API)\n",
				n, plural(n, "call", "calls"), len(u.Callers), plural(len(u.Callers), "function", "functions"), plural(n, "uses", "use"))
		} else {
			p.f("      no call through it is in a function the plan migrates\n")
		}
		if u.OptionalName == "" {
			p.f("      --upgrade-interfaces cannot declare %sContext: the name is taken\n", u.Iface.Named.Obj().Name())
			continue
		}
		var forms []string
		for _, m := range methods {
			forms = append(forms, m+"Context")
		}
		p.f("      --upgrade-interfaces also declares %s {%s} for implementations outside the module\n", u.OptionalName, strings.Join(forms, ", "))
	}
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// skipLabels are "label count" for each skip code, sorted by label.
func skipLabels(m map[analysis.SkipCode]int) []string {
	var out []string
	for code, n := range m {
		out = append(out, fmt.Sprintf("%s %d", code.Label(), n))
	}
	sort.Strings(out)
	return out
}
