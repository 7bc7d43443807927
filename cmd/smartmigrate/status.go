package main

import (
	"context"
	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/internal/report"
	"github.com/spf13/cobra"
)

// statusOptions are the status command's flags and arguments.
type statusOptions struct {
	*globals
	Status migrate.StatusOptions
	JSON   bool
}

func newStatusCmd(g *globals, runF func(*statusOptions) error) *cobra.Command {
	o := &statusOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "status [packages]",
		Short: "Show the applied phases and how far the migration is",
		Long: `status lists the phases in .smartmigrate/journal.json (applied or
reverted) and counts, per package and in total, outside test files: the
functions that are context-aware (they take a context, have a ctx form, or
are HTTP handlers; Foo and its FooContext count once), the blocking
functions that remain (to migrate, or left out for a reason that plan
gives), and the call sites that still pass context.TODO().`,
		Example: `  smartmigrate status
  smartmigrate status --json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			pats, err := o.member(args)
			if err != nil {
				return err
			}
			o.Status.Dir, o.Status.Patterns = o.Dir, pats
			if runF != nil {
				return runF(o)
			}
			return runStatus(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the status as JSON")
	return cmd
}

func runStatus(ctx context.Context, o *statusOptions) error {
	if err := recoverFirst(o.globals); err != nil {
		return err
	}
	o.Status.Progress = o.Progress
	rep, err := migrate.Status(ctx, o.Status)
	if err != nil {
		return err
	}
	if o.JSON {
		return report.JSON(o.Stdout, report.Status(rep))
	}
	return report.StatusText(o.Stdout, rep)
}
