// Package report prints smartmigrate's results for people (aligned text)
// and for programs (JSON).
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/strategies"
)

// JSON writes v as indented JSON with a final newline.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// Short trims the module path from a qualified name:
// "example.com/shop/api.(*Client).Fetch" -> "api.(*Client).Fetch".
func Short(module, id string) string {
	if rest, ok := strings.CutPrefix(id, module+"/"); ok {
		return rest
	}
	if rest, ok := strings.CutPrefix(id, module+"."); ok {
		return lastElem(module) + "." + rest
	}
	return id
}

// lastElem is a module path's last element, skipping a major version
// suffix: "github.com/go-gorp/gorp/v3" -> "gorp".
func lastElem(path string) string {
	elems := strings.Split(path, "/")
	last := elems[len(elems)-1]
	if len(elems) > 1 && len(last) > 1 && last[0] == 'v' && strings.Trim(last[1:], "0123456789") == "" {
		return elems[len(elems)-2]
	}
	return last
}

// KindLabel says what a unit's change adds: "+FetchContext, shim" or
// "in place".
func KindLabel(u strategies.Unit) string {
	if u.Kind == strategies.Finalize {
		for _, r := range u.Risks {
			if strings.HasPrefix(r, "removed") {
				return "shim removed"
			}
		}
		return "shim finalized"
	}
	if u.Kind == strategies.Sibling {
		name := u.ID[strings.LastIndex(u.ID, ".")+1:]
		return "+" + name + "Context, shim"
	}
	if n := len(u.Funcs); n > 1 {
		return fmt.Sprintf("in place, %d decls", n)
	}
	return "in place"
}

// PlanText writes a plan for people.
func PlanText(w io.Writer, rep *migrate.PlanReport) error {
	s := rep.Summary
	p := &printer{w: w}
	p.f("%s: %s plan\n\n", rep.Module, rep.Plan.Strategy)
	p.f("blocking functions without a context: %d\n", s.Blocking)
	p.f("  to migrate:   %d in %d units\n", s.ToMigrate, s.Units)
	p.f("  left out:     %d", s.LeftOut)
	if len(s.Skipped) > 0 {
		var parts []string
		for _, k := range sortedKeys(s.Skipped) {
			parts = append(parts, fmt.Sprintf("%s %d", k, s.Skipped[k]))
		}
		p.f(" (%s)", strings.Join(parts, ", "))
	}
	p.f("\nalready context-aware: %d\n", s.Done)
	for _, n := range rep.Plan.Notes {
		p.f("note: %s\n", n)
	}
	if len(rep.Plan.Phases) == 0 {
		p.f("\nnothing left to migrate\n")
	}
	for _, ph := range rep.Plan.Phases {
		p.f("\nphase %d: %s (%d %s)\n", ph.Number, ph.Reason, len(ph.Units), plural(len(ph.Units), "unit", "units"))
		nameW, kindW := 0, 0
		for _, u := range ph.Units {
			nameW = max(nameW, len(Short(rep.Module, u.ID)))
			kindW = max(kindW, len(KindLabel(u)))
		}
		for _, u := range ph.Units {
			p.f("  %-*s  %-*s  %s\n", nameW, Short(rep.Module, u.ID), kindW, KindLabel(u), u.Sink)
			if len(u.Funcs) > 1 {
				var others []string
				for _, f := range u.Funcs[1:] {
					others = append(others, Short(rep.Module, f))
				}
				p.f("      with %s\n", strings.Join(others, ", "))
			}
			for _, r := range u.Risks {
				p.f("      risk: %s\n", r)
			}
		}
	}
	if len(rep.LeftOut) > 0 {
		p.f("\nleft out (%d):\n", len(rep.LeftOut))
		tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
		for _, l := range rep.LeftOut {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", Short(rep.Module, l.ID), l.Pos.Short(), l.Reason)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(rep.SyncInterfaces) > 0 {
		p.f("\nexported interfaces, never changed; calls through them stay sync (%d):\n", len(rep.SyncInterfaces))
		width := 0
		for _, l := range rep.SyncInterfaces {
			width = max(width, len(Short(rep.Module, l.ID)))
		}
		for _, l := range rep.SyncInterfaces {
			p.f("  %-*s  %s  blocks via %s\n", width, Short(rep.Module, l.ID), l.Pos.Short(), l.Via)
		}
	}
	return p.err
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

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
