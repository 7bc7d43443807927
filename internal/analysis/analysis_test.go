package analysis_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/load"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/*.txtar")

// TestCases loads each testdata/*.txtar as a module, analyses it, and
// compares a dump of the result with the archive's "want" section.
func TestCases(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	if len(files) == 0 {
		t.Fatal("no test cases")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			var want string
			for _, f := range ar.Files {
				if f.Name == "want" {
					want = string(f.Data)
					continue
				}
				path := filepath.Join(dir, f.Name)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			m, err := load.Load(t.Context(), dir)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			res, err := analysis.Analyze(m)
			if err != nil {
				t.Fatal(err)
			}
			got := dump(res)
			// Map order changes from run to run: an order that depends on
			// it shows in a few analyses of the same load.
			for range 8 {
				again, err := analysis.Analyze(m)
				if err != nil {
					t.Fatal(err)
				}
				if d := dump(again); d != got {
					t.Fatalf("two analyses of the same load differ\n--- first\n%s--- later\n%s", got, d)
				}
			}
			if got == want {
				return
			}
			if *update {
				for i := range ar.Files {
					if ar.Files[i].Name == "want" {
						ar.Files[i].Data = []byte(got)
					}
				}
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			t.Errorf("analysis of %s differs (go test -update rewrites it)\n--- got\n%s--- want\n%s", file, got, want)
		})
	}
}

// dump prints what the analysis found, one fact a line, module path
// trimmed.
func dump(r *analysis.Model) string {
	short := func(id string) string {
		id = strings.ReplaceAll(id, r.Module+"/", "")
		return strings.ReplaceAll(id, r.Module+".", "")
	}
	var b strings.Builder
	for _, f := range r.Funcs {
		var facts []string
		if f.Blocking {
			facts = append(facts, "blocking via "+f.Via.String())
		}
		if f.TakesContext {
			facts = append(facts, "takes ctx")
		}
		if f.Handler {
			facts = append(facts, "handler")
		}
		if f.HasCtxForm() {
			facts = append(facts, "has ctx form")
		}
		if f.UsedAsValue {
			facts = append(facts, "used as value")
		}
		if len(f.Interfaces) > 0 {
			var names []string
			for _, i := range f.Interfaces {
				names = append(names, i.Short())
			}
			facts = append(facts, "implements "+strings.Join(names, ","))
		}
		for _, p := range f.Also {
			facts = append(facts, "also "+r.Position(p).Short())
		}
		if !f.Skip.IsZero() && (f.Blocking || !f.TestFile) {
			facts = append(facts, "skip: "+f.Skip.String())
		}
		if len(facts) == 0 && len(f.Ops) == 0 {
			continue
		}
		if len(facts) == 0 {
			facts = append(facts, "not blocking")
		}
		fmt.Fprintf(&b, "func %s: %s\n", short(f.ID), strings.Join(facts, "; "))
		for _, o := range f.Ops {
			kind := "sink"
			switch {
			case o.Rule.Consumer:
				kind = "consumer"
			case o.Rule.Rewrite == analysis.RewriteBackground:
				kind = "background"
			case o.Rule.Rewrite == analysis.RewriteHTTP:
				kind = "statement sink"
			case o.Rule.Rewrite == analysis.RewriteCallback:
				kind = "callback sink"
			}
			stuck := ""
			if o.Stuck != "" && o.Rule.Wait == analysis.WaitNone {
				stuck = " (left: " + o.Stuck + ")"
			}
			fmt.Fprintf(&b, "  %s %s -> %s at %s%s\n", kind, o.Rule.Call, o.Rule.Form, o.At.Short(), stuck)
		}
		for _, c := range f.Calls {
			if !c.Callee.Blocking {
				continue
			}
			line := fmt.Sprintf("  call %s at %s, ctx source %s", short(c.Callee.ID), c.At.Short(), c.Source)
			if c.Value {
				line = fmt.Sprintf("  callback %s at %s", short(c.Callee.ID), c.At.Short())
			}
			if c.Iface != nil {
				var impls []string
				for _, i := range c.Impls {
					impls = append(impls, short(i.ID))
				}
				line += fmt.Sprintf(" (dynamic, impls %s)", strings.Join(impls, ","))
			}
			b.WriteString(line + "\n")
		}
	}
	for _, u := range r.Units {
		var funcs []string
		for _, f := range u.Funcs {
			funcs = append(funcs, short(f.ID))
		}
		var callees []string
		for _, c := range u.Callees {
			callees = append(callees, short(c.ID))
		}
		fmt.Fprintf(&b, "unit %s: %s, funcs [%s], callees [%s], heat %d, callers %d", short(u.ID), u.Kind, strings.Join(funcs, " "), strings.Join(callees, " "), u.SinkCalls, u.CallSites)
		if len(u.Risks) > 0 {
			var risks []string
			for _, r := range u.Risks {
				risks = append(risks, r.String())
			}
			fmt.Fprintf(&b, ", risks [%s]", strings.Join(risks, "; "))
		}
		b.WriteString("\n")
	}
	for _, u := range r.InterfaceUses() {
		var methods, callers []string
		for _, f := range u.Methods {
			methods = append(methods, f.Name)
		}
		for _, f := range u.Callers {
			callers = append(callers, short(f.ID))
		}
		fmt.Fprintf(&b, "interface %s: blocking [%s], implemented by [%s], %d calls in [%s], optional %q\n", short(u.Iface.Name),
			strings.Join(methods, " "), strings.Join(u.Implementations, " "), len(u.Calls), strings.Join(callers, " "), u.OptionalName)
	}
	for _, g := range r.Groups {
		b.WriteString(dumpGroup(g, short) + "\n")
	}
	s := r.Summary()
	skipped := map[string]int{}
	for code, n := range s.Skipped {
		skipped[code.Label()] = n
	}
	fmt.Fprintf(&b, "summary: blocking %d, to migrate %d in %d units, context-aware %d, skipped %v\n", s.Blocking, s.ToMigrate, s.Units, s.ContextAware, skipped)
	return b.String()
}

// dumpGroup prints a group of function-valued fields: its slots, whether
// it migrates, and what changes.
func dumpGroup(g *analysis.FieldGroup, short func(string) string) string {
	var names, carriers, values []string
	for _, ff := range g.Fields {
		names = append(names, short(ff.Name))
	}
	for _, p := range g.Params {
		names = append(names, "param "+p.Name())
	}
	for _, u := range g.Carriers {
		carriers = append(carriers, short(u.ID))
	}
	kinds := map[analysis.ValueKind]string{analysis.ValueAdapt: "adapt", analysis.ValueNil: "nil", analysis.ValueFunc: "func", analysis.ValueClosure: "closure", analysis.ValueFlow: "flow"}
	for _, v := range g.Values {
		values = append(values, kinds[v.Kind]+"@"+v.At.Short())
	}
	state := "migrates"
	switch {
	case !g.Keep.IsZero():
		state = "keeps: " + g.Keep.String()
	case g.Done:
		state = "done"
	case g.Sibling != nil:
		state = fmt.Sprintf("migrates beside it as %s, %d nil checks", g.Sibling.Name, len(g.Sibling.NilChecks))
	}
	return fmt.Sprintf("fields [%s]: %s; values [%s], calls %d, reads %d, carriers [%s]",
		strings.Join(names, " "), state, strings.Join(values, " "), len(g.Calls), len(g.Reads), strings.Join(carriers, " "))
}
