package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/internal/report"
	"github.com/smartmigrate/smartmigrate/strategies"
	"github.com/spf13/cobra"
)

// applyOptions are the apply command's flags and arguments.
type applyOptions struct {
	*globals
	Apply  migrate.ApplyOptions
	DryRun bool
	JSON   bool
}

func newApplyCmd(g *globals, runF func(*applyOptions) error) *cobra.Command {
	o := &applyOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "apply [packages]",
		Short: "Rewrite the next phase of the plan (--dry-run prints it as a patch)",
		Long: `apply computes the plan from the code as it stands and rewrites one phase:
the next one, or --phase N of the current plan. Functions that already have
their ctx form count as done, so applying phases one after another walks
through the whole plan.

With --dry-run nothing is written: the phase's unified diff goes to standard
output (paths relative to the module root, ready for git apply) and a short
report to standard error: units changed, sinks made context-aware, sinks left
and why, and call sites given context.TODO().`,
		Example: `  smartmigrate apply --dry-run
  smartmigrate apply --strategy=top-down --dry-run > phase.patch && git apply phase.patch
  smartmigrate apply --dry-run --phase 2 --json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Apply.Dir = o.Dir
			o.Apply.Patterns = args
			if runF != nil {
				return runF(o)
			}
			return runApply(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Apply.Strategy, "strategy", "bottom-up", "order of the phases: "+strings.Join(strategies.Names(), ", "))
	f.IntVar(&o.Apply.MaxUnits, "max-units", 0, "at most `N` units per phase (0: no bound)")
	f.StringVar(&o.Apply.Profile, "profile", "", "pprof profile giving critical-path its heat")
	f.IntVar(&o.Apply.Phase, "phase", 0, "rewrite phase `N` of the current plan instead of the next")
	f.BoolVar(&o.DryRun, "dry-run", false, "print the phase as a patch; write nothing")
	f.BoolVar(&o.JSON, "json", false, "print the patch and the report as JSON")
	_ = cmd.RegisterFlagCompletionFunc("strategy", cobra.FixedCompletions(strategies.Names(), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runApply(o *applyOptions) error {
	if !o.DryRun {
		return errors.New("apply writes phases only with --dry-run for now: pipe its patch to git apply (smartmigrate apply --dry-run | git apply)")
	}
	rep, err := migrate.RewritePhase(o.Apply)
	if err != nil {
		return err
	}
	if rep == nil {
		fmt.Fprintln(o.Stderr, "smartmigrate: nothing left to migrate")
		return nil
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(o.Stderr, "smartmigrate: warning: %s\n", w)
	}
	if o.JSON {
		return report.JSON(o.Stdout, rep)
	}
	if err := report.Patch(o.Stdout, rep.Patch, useColor(o.Stdout)); err != nil {
		return err
	}
	return report.PhaseText(o.Stderr, rep)
}

// useColor reports whether w is a terminal and NO_COLOR is not set.
func useColor(w io.Writer) bool {
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
