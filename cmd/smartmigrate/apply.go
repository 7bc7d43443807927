package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/journal"
	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/internal/report"
	"github.com/smartmigrate/smartmigrate/internal/verify"
	"github.com/smartmigrate/smartmigrate/strategies"
	"github.com/spf13/cobra"
)

// applyOptions are the apply command's flags and arguments.
type applyOptions struct {
	*globals
	Apply  migrate.ApplyOptions
	Write  migrate.WriteOptions
	All    migrate.AllOptions
	DryRun bool
	JSON   bool
	// Every applies every phase in one run (--all, or --through ID).
	Every bool
}

func newApplyCmd(g *globals, runF func(*applyOptions) error) *cobra.Command {
	o := &applyOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "apply [packages]",
		Short: "Rewrite, verify and write the next phase of the plan (--dry-run prints it as a patch)",
		Long: `apply computes the plan from the code as it stands and rewrites one phase:
the next one, or --phase ID. Functions that already have their ctx form
count as done, so applying phases one after another walks through the whole
plan. A phase's ID (7 hex digits; 4 or more of the first will do) comes
from its units, so it stays the same as phases before it are applied: the
plan, apply, the journal, commit messages, status and revert all name it so.
When .smartmigrate/plan.json exists (plan --save),
apply follows it instead: only its units, in its order; it refuses when the
source changed since the plan was saved.

Before writing anything, the phase is checked: the files it changes stay
gofmt-clean, the module type-checks (tests included), go vet reports nothing
new on the changed packages, no exported identifier of an importable package
changes incompatibly (golang.org/x/exp/apidiff), and the --verify command,
if any, exits 0 in a temporary copy of the module with the phase applied. A
failed check writes nothing, says which check and where, and exits 1.

With --vet=inprocess (the default) the type-check and go vet's analyzers
(the suite go vet runs) run in this process, against the module as it was
loaded for the plan: only the changed packages and the packages that import
them are type-checked again, and the analyzers run on the changed packages
before and after the phase, so that only findings the phase adds count.
With --vet=go the module is copied to a temporary folder, loaded again and
vetted by the toolchain's own go vet, as before.

The files are then written atomically through the journal: an apply that is
killed is finished or undone by the next smartmigrate command. The phase is
recorded in .smartmigrate/journal.json, its patch in .smartmigrate/phases/;
smartmigrate revert undoes it. In a git work tree, apply refuses when files
the phase touches have uncommitted changes (--allow-dirty to override);
--commit makes one commit per phase.

With --dry-run nothing is written: the phase's unified diff goes to standard
output (paths relative to the module root, ready for git apply) and a short
report to standard error: units changed, sinks made context-aware, sinks left
and why, and call sites given context.TODO().

Calls through an exported interface stay sync: the interface never changes,
since that would break its implementations outside the module. With
--upgrade-interfaces, the phase generates an optional interface beside it
(FetcherContext beside Fetcher, holding FetchContext) and such calls in the
migrated functions go through a small helper that calls FetchContext when the
value implements FetcherContext and Fetch otherwise, as database/sql does
with driver.QueryerContext. With --strategy=top-down --offload, the ctx form
of a unit whose callees are migrated in later phases runs its sync body in a
goroutine and returns ctx.Err() when the context ends first (it cancels the
wait, not the work); the phase that migrates its last callee removes that.

--finalize, once the phases are applied, rewrites the last, optional phase
instead (verified, journaled and revertible like the others): every shim gets
the //go:fix inline directive, so that go fix moves callers outside the module
to the ctx form (--deprecate also marks shims Deprecated); calls to shims in
the module's non-test code move to the ctx form with their caller's context;
unexported shims left without callers are removed.

--all applies every phase of the plan in order in one run, each verified,
journaled and (with --commit) committed on its own, and --through ID the
phases of the plan up to that one. A phase
verified in process hands the module as it leaves it to the next, which is
planned without loading the module again. The run stops at the first phase
that fails; the phases before it stay applied, and the error names them.`,
		Example: `  smartmigrate apply --verify 'go test ./...'
  smartmigrate apply --commit
  smartmigrate apply --dry-run
  smartmigrate apply --strategy=top-down --dry-run > phase.patch && git apply phase.patch
  smartmigrate apply --dry-run --phase 319e741 --json
  smartmigrate apply --upgrade-interfaces
  smartmigrate apply --strategy=top-down --offload
  smartmigrate apply --finalize --deprecate --verify 'go test ./...'
  smartmigrate apply --all --commit
  smartmigrate apply --through d4c2 --vet=go`,
		RunE: func(cmd *cobra.Command, args []string) error {
			pats, err := o.member(args)
			if err != nil {
				return err
			}
			o.Apply.Dir, o.Apply.Patterns = o.Dir, pats
			if !cmd.Flags().Changed("strategy") {
				o.Apply.Strategy = "" // bottom-up, or the saved plan's
			}
			o.Every = o.Every || o.All.Through != ""
			if runF != nil {
				return runF(o)
			}
			return runApply(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Apply.Strategy, "strategy", "bottom-up", "order of the phases: "+strings.Join(strategies.Names(), ", "))
	f.IntVar(&o.Apply.MaxUnits, "max-units", strategies.DefaultMaxUnits, "at most `N` units per phase, as in plan (0: no bound)")
	f.StringVar(&o.Apply.Profile, "profile", "", "pprof profile giving critical-path its heat")
	f.Var(phaseFlag{&o.Apply.Phase}, "phase", "rewrite the plan's phase of this `ID` instead of the next")
	f.BoolVar(&o.Apply.Offload, "offload", false, "top-down: a ctx form whose callees are not migrated yet runs the sync body in a goroutine and returns ctx.Err() when the context ends (it cancels the wait, not the work)")
	f.BoolVar(&o.Apply.UpgradeInterfaces, "upgrade-interfaces", false, "calls through an exported interface Fooer use FooContext when the value implements FooerContext, an optional interface generated beside Fooer, and Foo otherwise")
	f.BoolVar(&o.Apply.Finalize, "finalize", false, "the finalize phase: //go:fix inline on every shim, in-module callers moved to the ctx forms, unexported shims without callers removed")
	f.BoolVar(&o.Apply.Deprecate, "deprecate", false, "with --finalize, also mark every shim \"Deprecated: Use FooContext instead.\"")
	f.BoolVar(&o.DryRun, "dry-run", false, "print the phase as a patch; write nothing")
	f.BoolVarP(&o.DryRun, "diff", "d", false, "the same as --dry-run, as gofmt, go fix and gopls spell it")
	f.BoolVar(&o.JSON, "json", false, "print the patch and the report as JSON")
	f.StringVar(&o.Write.Verify, "verify", "", "also run `CMD` (sh -c) on a copy with the phase applied; it must exit 0")
	f.Var(vetFlag{&o.Write.Vet}, "vet", "where the type-check and go vet run: inprocess (against the module as loaded) or go (a copy and the toolchain's go vet)")
	f.BoolVar(&o.Every, "all", false, "apply every phase in order, each verified, journaled and (with --commit) committed; stop at the first that fails")
	f.Var(phaseFlag{&o.All.Through}, "through", "like --all, but stop after the plan's phase of this `ID`")
	f.BoolVar(&o.Write.AllowDirty, "allow-dirty", false, "write even when files the phase touches have uncommitted git changes")
	f.BoolVar(&o.Write.Commit, "commit", false, "make a git commit of the phase (its files and .smartmigrate)")
	_ = cmd.RegisterFlagCompletionFunc("strategy", cobra.FixedCompletions(strategies.Names(), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runApply(ctx context.Context, o *applyOptions) error {
	if !o.DryRun {
		lk, err := migrate.Lock(o.Dir)
		if err != nil {
			return err
		}
		defer lk.Release()
	}
	if err := recoverFirst(o.globals); err != nil {
		return err
	}
	if o.Every {
		return runApplyAll(ctx, o)
	}
	if !o.DryRun {
		return runApplyWrite(ctx, o)
	}
	o.Apply.Progress, o.Write.Progress = o.Progress, o.Progress
	rep, why, err := migrate.NextPhase(ctx, o.Apply)
	if err != nil {
		return err
	}
	if rep == nil {
		fmt.Fprintf(o.Stderr, "smartmigrate: %s\n", why)
		return nil
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(o.Stderr, "smartmigrate: warning: %s\n", w)
	}
	if o.JSON {
		return report.JSON(o.Stdout, report.Phase(rep))
	}
	if err := report.Patch(o.Stdout, rep.Patch, o.useColor(o.Stdout)); err != nil {
		return err
	}
	return report.PhaseText(o.Stderr, rep)
}

// runApplyAll applies every phase (or through --through), printing each
// one's report as it is written.
func runApplyAll(ctx context.Context, o *applyOptions) error {
	if o.DryRun {
		return usageError{errors.New("--all and --through write the phases: they do not go with --dry-run")}
	}
	if err := prepareWrite(ctx, o); err != nil {
		return err
	}
	var perr error
	o.All.Each = func(res *migrate.ApplyResult) {
		if perr != nil {
			return
		}
		if o.JSON {
			perr = report.JSON(o.Stdout, report.Applied(res))
		} else {
			perr = report.AppliedText(o.Stdout, res)
		}
	}
	done, why, err := migrate.ApplyAll(ctx, o.Apply, o.Write, o.All)
	if err != nil {
		return err
	}
	if perr != nil {
		return perr
	}
	noun := "phases"
	if len(done) == 1 {
		noun = "phase"
	}
	fmt.Fprintf(o.Stderr, "smartmigrate: %d %s applied; %s\n", len(done), noun, why)
	return nil
}

// prepareWrite checks the write flags, wires progress and warnings, and
// with --commit first commits phases applied earlier without one.
func prepareWrite(ctx context.Context, o *applyOptions) error {
	if o.Write.Commit && o.Write.AllowDirty {
		return errors.New("--commit and --allow-dirty do not go together: the commit would take in the uncommitted changes")
	}
	o.Apply.Progress, o.Write.Progress = o.Progress, o.Progress
	o.Write.Warn = func(w string) { fmt.Fprintf(o.Stderr, "smartmigrate: warning: %s\n", w) }
	if !o.Write.Commit {
		return nil
	}
	done, err := migrate.CommitUncommitted(ctx, o.Dir)
	for _, c := range done {
		fmt.Fprintf(o.Stderr, "smartmigrate: committed phase %s, applied earlier but not committed: %s\n", c.Phase.ID, c.Commit)
	}
	return err
}

// runApplyWrite verifies and writes the phase; the report goes to
// standard output.
func runApplyWrite(ctx context.Context, o *applyOptions) error {
	if err := prepareWrite(ctx, o); err != nil {
		return err
	}
	res, why, err := migrate.Apply(ctx, o.Apply, o.Write)
	if err != nil {
		return err
	}
	if res == nil {
		fmt.Fprintf(o.Stderr, "smartmigrate: %s; nothing written\n", why)
		return nil
	}
	if o.JSON {
		return report.JSON(o.Stdout, report.Applied(res))
	}
	return report.AppliedText(o.Stdout, res)
}

// vetFlag is the --vet flag: a verify.VetMode that refuses other values.
type vetFlag struct{ mode *verify.VetMode }

func (v vetFlag) String() string {
	if v.mode == nil || *v.mode == "" {
		return string(verify.VetInProcess)
	}
	return string(*v.mode)
}

func (v vetFlag) Set(s string) error {
	m, err := verify.ParseVetMode(s)
	if err != nil {
		return err
	}
	*v.mode = m
	return nil
}

func (v vetFlag) Type() string { return "mode" }

// phaseFlag is a --phase or --through flag: a phase ID, or the first
// journal.MinIDPrefix or more of its hex digits.
type phaseFlag struct{ id *string }

func (p phaseFlag) String() string {
	if p.id == nil {
		return ""
	}
	return *p.id
}

func (p phaseFlag) Set(s string) error {
	id := strings.ToLower(s)
	if len(id) < journal.MinIDPrefix || len(id) > strategies.IDLen || strings.Trim(id, "0123456789abcdef") != "" {
		return fmt.Errorf("%q is not a phase ID: plan, apply --dry-run and status name each phase by %d hex digits (such as 3fa2c1e); give them, or the first %d or more",
			s, strategies.IDLen, journal.MinIDPrefix)
	}
	*p.id = id
	return nil
}

func (p phaseFlag) Type() string { return "ID" }

// recoverFirst finishes or undoes an interrupted apply or revert, and
// says so.
func recoverFirst(g *globals) error {
	msg, err := migrate.Recover(g.Dir)
	if err != nil {
		return err
	}
	if msg != "" {
		fmt.Fprintf(g.Stderr, "smartmigrate: %s\n", msg)
	}
	return nil
}
