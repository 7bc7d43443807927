package main

import (
	"context"
	"fmt"

	"github.com/smartmigrate/smartmigrate/internal/journal"
	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/internal/report"
	"github.com/spf13/cobra"
)

// revertOptions are the revert command's flags.
type revertOptions struct {
	*globals
	Revert migrate.RevertOptions
	JSON   bool
	// DryRun prints the revert as a patch and writes nothing.
	DryRun bool
	// Commit makes a git commit of the revert.
	Commit bool
}

func newRevertCmd(g *globals, runF func(*revertOptions) error) *cobra.Command {
	o := &revertOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "revert",
		Short: "Undo an applied phase (the last one by default)",
		Long: `revert undoes a phase that apply wrote, as .smartmigrate/journal.json
records it: the last applied phase, or --phase ID (as apply and status show
it; its first four or more digits will do).

When the phase's files are as it left them, revert restores their exact
previous bytes. When they changed since (later phases, hand edits), it
applies the phase's reverse patch hunk by hunk; if any hunk does not apply,
it changes nothing and names the file and the hunk.

A phase that a later applied phase depends on (the later one calls a ctx
form or in-place function this one created) is not reverted alone: revert
lists the phases to revert first, or reverts them all, newest first, with
--cascade. The journal marks reverted phases.

--dry-run (or --diff, -d) prints the revert as a unified diff on standard
output, and what it would revert on standard error, writing nothing.
--commit makes a git commit of the revert: the files it restored and the
journal, nothing else (it refuses when those files have uncommitted
changes).

When a hunk does not apply, the error names the file and the hunk, and
how to go on: git apply -R --3way on the phase's patch marks the conflicts
in the file; once they are resolved, --forget marks the phase reverted in
the journal without changing any file.`,
		Example: `  smartmigrate revert
  smartmigrate revert --phase 319e741
  smartmigrate revert --phase 5669 --cascade
  smartmigrate revert --dry-run > undo.patch
  smartmigrate revert --commit
  smartmigrate revert --phase d4c2fd1 --forget   # after git apply -R --3way by hand`,
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
	f.Var(phaseFlag{&o.Revert.Phase}, "phase", "revert the applied phase of this `ID` instead of the last applied")
	f.BoolVar(&o.Revert.Cascade, "cascade", false, "first revert, newest first, the later phases that depend on it")
	f.BoolVar(&o.JSON, "json", false, "print the reverted phases as JSON")
	f.BoolVar(&o.DryRun, "dry-run", false, "print the revert as a patch; write nothing")
	f.BoolVarP(&o.DryRun, "diff", "d", false, "the same as --dry-run")
	f.BoolVar(&o.Commit, "commit", false, "make a git commit of the revert (the restored files and .smartmigrate/journal.json)")
	f.BoolVar(&o.Revert.Forget, "forget", false, "mark the phase reverted and change no file (it was reverted by hand)")
	return cmd
}

// runRevertDryRun prints the revert as a patch, and what it would revert.
func runRevertDryRun(o *revertOptions) error {
	rs, diff, err := migrate.RevertPatch(o.Revert)
	if err != nil {
		return err
	}
	if o.JSON {
		doc := report.Revert(rs, "")
		doc.DryRun, doc.Patch = true, diff
		return report.JSON(o.Stdout, doc)
	}
	if err := report.Patch(o.Stdout, diff, o.useColor(o.Stdout)); err != nil {
		return err
	}
	for _, r := range rs {
		fmt.Fprintf(o.Stderr, "would revert phase %s (%s): %s, %s\n", r.Phase.ID, r.Phase.Strategy,
			count(len(r.Phase.Units), "unit", "units"), count(len(r.Phase.Files), "file", "files"))
	}
	return nil
}

func runRevert(ctx context.Context, o *revertOptions) error {
	if o.DryRun {
		return runRevertDryRun(o)
	}
	lk, err := migrate.Lock(o.Dir)
	if err != nil {
		return err
	}
	defer lk.Release()
	if err := recoverFirst(o.globals); err != nil {
		return err
	}
	var rs []journal.Reverted
	var hash string
	if o.Commit {
		rs, hash, err = migrate.RevertCommitted(ctx, o.Revert)
	} else {
		rs, err = migrate.Revert(o.Revert)
	}
	if err != nil {
		return err
	}
	if o.JSON {
		return report.JSON(o.Stdout, report.Revert(rs, hash))
	}
	if err := report.RevertedText(o.Stdout, rs); err != nil {
		return err
	}
	if hash != "" {
		fmt.Fprintf(o.Stdout, "committed as %s\n", hash)
	}
	return nil
}

// count is "1 unit", "2 units".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
