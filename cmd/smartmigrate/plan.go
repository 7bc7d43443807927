package main

import (
	"context"
	"fmt"

	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/internal/report"
	"github.com/smartmigrate/smartmigrate/strategies"
	"github.com/spf13/cobra"
)

// planOptions are the plan command's flags and arguments.
type planOptions struct {
	*globals
	Plan migrate.PlanOptions
	JSON bool
	Save bool
}

func newPlanCmd(g *globals, runF func(*planOptions) error) *cobra.Command {
	o := &planOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "plan [packages]",
		Short: "Show the migration's phases, with the reason and risks of each unit",
		Long: `plan loads the module, finds every function that blocks (it reaches a call
that could take a context: a sink), and orders the units to migrate into phases
with the chosen strategy:

  bottom-up      leaves first: callers of sinks, then their callers; the public API last
  top-down       exported roots first, then one call level down per phase
  critical-path  whole root-to-sink paths, hottest first (--profile, else a static score)

Each unit shows how it changes (+FooContext with Foo kept as a shim, or ctx
added in place), the first sink it reaches, and risks. Blocking functions that
are left alone are listed with the reason (a signature fixed by io.Reader, a
generated file, ...).

Packages default to ./... (tests included, so test callers are seen).`,
		Example: `  smartmigrate plan
  smartmigrate plan --strategy=top-down --max-units=5
  smartmigrate plan --strategy=critical-path --profile=cpu.pprof --json
  smartmigrate plan --save    # write .smartmigrate/plan.json to review or edit`,
		RunE: func(cmd *cobra.Command, args []string) error {
			pats, err := o.member(args)
			if err != nil {
				return err
			}
			o.Plan.Dir, o.Plan.Patterns = o.Dir, pats
			if runF != nil {
				return runF(o)
			}
			return runPlan(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Plan.Strategy, "strategy", "bottom-up", "order of the phases: "+joinNames(strategies.Names()))
	f.IntVar(&o.Plan.MaxUnits, "max-units", strategies.DefaultMaxUnits, "at most `N` units per phase, so each patch stays reviewable (0: no bound)")
	f.StringVar(&o.Plan.Profile, "profile", "", "pprof profile (CPU, wall-clock or block) giving critical-path its heat")
	f.BoolVar(&o.Plan.Offload, "offload", false, "top-down: show which ctx forms run their sync body in a goroutine until their callees are migrated (apply --offload)")
	f.BoolVar(&o.JSON, "json", false, "print the plan as JSON")
	f.BoolVar(&o.Save, "save", false, "write the plan to .smartmigrate/plan.json (stable, diffable, edit it to drop units)")
	_ = cmd.RegisterFlagCompletionFunc("strategy", cobra.FixedCompletions(strategies.Names(), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runPlan(ctx context.Context, o *planOptions) error {
	if err := recoverFirst(o.globals); err != nil {
		return err
	}
	o.Plan.Progress = o.Progress
	rep, err := migrate.Plan(ctx, o.Plan)
	if err != nil {
		return err
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(o.Stderr, "smartmigrate: warning: %s\n", w)
	}
	if o.Save {
		path, err := migrate.SavePlan(rep)
		if err != nil {
			return err
		}
		fmt.Fprintf(o.Stderr, "smartmigrate: wrote %s\n", path)
	}
	if o.JSON {
		return report.JSON(o.Stdout, report.Plan(rep))
	}
	return report.PlanText(o.Stdout, rep)
}

func joinNames(names []string) string {
	s := ""
	for i, n := range names {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}
