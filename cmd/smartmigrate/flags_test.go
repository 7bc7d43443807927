package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestPlanFlags checks that plan's flags land in its options, apart from
// what plan does with them.
func TestPlanFlags(t *testing.T) {
	g := &globals{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	var got *planOptions
	root := newRootCmd(g)
	for _, c := range root.Commands() {
		if c.Name() == "plan" {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(newPlanCmd(g, func(o *planOptions) error { got = o; return nil }))
	root.SetArgs([]string{"-C", "some/dir", "plan", "--strategy=top-down", "--max-units=4", "--profile=p.pprof", "--json", "--save", "./a/...", "./b"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	p := got.Plan
	if p.Dir != "some/dir" || p.Strategy != "top-down" || p.MaxUnits != 4 || p.Profile != "p.pprof" || !got.JSON || !got.Save {
		t.Errorf("options = %+v, json=%v save=%v", p, got.JSON, got.Save)
	}
	if len(p.Patterns) != 2 || p.Patterns[0] != "./a/..." || p.Patterns[1] != "./b" {
		t.Errorf("patterns = %q", p.Patterns)
	}
}

// TestApplyFlags does the same for apply.
func TestApplyFlags(t *testing.T) {
	g := &globals{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	var got *applyOptions
	root := newRootCmd(g)
	for _, c := range root.Commands() {
		if c.Name() == "apply" {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(newApplyCmd(g, func(o *applyOptions) error { got = o; return nil }))
	root.SetArgs([]string{"apply", "--strategy=critical-path", "--phase=3FA2C1E", "--dry-run", "--json"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	a := got.Apply
	if a.Dir != "." || a.Strategy != "critical-path" || a.Phase != "3fa2c1e" || !got.DryRun || !got.JSON {
		t.Errorf("options = %+v dry=%v json=%v", a, got.DryRun, got.JSON)
	}
}

// TestApplyEdgeFlags checks the flags of issue 5: --offload,
// --upgrade-interfaces, --finalize and --deprecate, and plan --offload.
func TestApplyEdgeFlags(t *testing.T) {
	g := &globals{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	var got *applyOptions
	root := newRootCmd(g)
	for _, c := range root.Commands() {
		if c.Name() == "apply" || c.Name() == "plan" {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(newApplyCmd(g, func(o *applyOptions) error { got = o; return nil }))
	var plan *planOptions
	root.AddCommand(newPlanCmd(g, func(o *planOptions) error { plan = o; return nil }))
	root.SetArgs([]string{"apply", "--strategy=top-down", "--offload", "--upgrade-interfaces", "--finalize", "--deprecate"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	a := got.Apply
	if !a.Offload || !a.UpgradeInterfaces || !a.Finalize || !a.Deprecate {
		t.Errorf("options = %+v", a)
	}
	root.SetArgs([]string{"plan", "--strategy=top-down", "--offload"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if !plan.Plan.Offload {
		t.Errorf("plan options = %+v", plan)
	}
}

// TestPhaseFlag refuses what is not a phase ID, in the tool's words.
func TestPhaseFlag(t *testing.T) {
	for _, bad := range []string{"2", "abc", "3fa2c1e9", "phase1", ""} {
		var stdout, stderr bytes.Buffer
		if got := run([]string{"revert", "--phase", bad}, &stdout, &stderr); got != exitUsage || !strings.Contains(stderr.String(), "--phase: \""+bad+"\" is not a phase ID") {
			t.Errorf("--phase %q: exit %d\n%s", bad, got, stderr.String())
		}
	}
}
