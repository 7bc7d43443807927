package main

import (
	"context"
	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/internal/report"
	"github.com/spf13/cobra"
)

// revertOptions are the revert command's flags.
type revertOptions struct {
	*globals
	Revert migrate.RevertOptions
	JSON   bool
}

func newRevertCmd(g *globals, runF func(*revertOptions) error) *cobra.Command {
	o := &revertOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "revert",
		Short: "Undo an applied phase (the last one by default)",
		Long: `revert undoes a phase that apply wrote, as .smartmigrate/journal.json
records it: the last applied phase, or --phase N (the journal's number, as
status shows it).

When the phase's files are as it left them, revert restores their exact
previous bytes. When they changed since (later phases, hand edits), it
applies the phase's reverse patch hunk by hunk; if any hunk does not apply,
it changes nothing and names the file and the hunk.

A phase that a later applied phase depends on (the later one calls a ctx
form or in-place function this one created) is not reverted alone: revert
lists the phases to revert first, or reverts them all, newest first, with
--cascade. The journal marks reverted phases.`,
		Example: `  smartmigrate revert
  smartmigrate revert --phase 2
  smartmigrate revert --phase 1 --cascade`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Revert.Dir = o.Dir
			if runF != nil {
				return runF(o)
			}
			return runRevert(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Revert.Phase, "phase", 0, "revert phase `N` of the journal instead of the last applied")
	f.BoolVar(&o.Revert.Cascade, "cascade", false, "first revert, newest first, the later phases that depend on it")
	f.BoolVar(&o.JSON, "json", false, "print the reverted phases as JSON")
	return cmd
}

func runRevert(ctx context.Context, o *revertOptions) error {
	lk, err := migrate.Lock(o.Dir)
	if err != nil {
		return err
	}
	defer lk.Release()
	if err := recoverFirst(o.globals); err != nil {
		return err
	}
	rs, err := migrate.Revert(o.Revert)
	if err != nil {
		return err
	}
	if o.JSON {
		return report.JSON(o.Stdout, rs)
	}
	return report.RevertedText(o.Stdout, rs)
}
