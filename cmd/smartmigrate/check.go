package main

import (
	"context"
	"fmt"

	"github.com/smartmigrate/smartmigrate/internal/checker"
	"github.com/spf13/cobra"
)

// checkOptions are the check command's flags and arguments.
type checkOptions struct {
	*globals
	// Since is a git ref: only functions changed since it are reported.
	Since string
	// Format is --format's value; JSON is --json, the same as
	// --format=json.
	Format   string
	JSON     bool
	Patterns []string
}

func newCheckCmd(g *globals, runF func(*checkOptions) error) *cobra.Command {
	o := &checkOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "check [--since REF] [--format FORMAT] [packages]",
		Short: "Fail when functions block without a context (a CI gate for new code)",
		Long: `check reports the functions that block without taking a context.Context:
they call a sink (http.Get, (*sql.DB).Query, exec.Command, any X with a
sibling XContext, a context.Background() that is not returned) or a function
of the module that does. Each finding gives file:line:col, the sink reached
and the ctx form to add (+FooContext for exported functions of importable
packages, ctx as first parameter for the rest).

With --since REF, only functions added or changed since the git ref are
reported (the lines of git diff REF, untracked files included): legacy code
waits for its phase, new code gets a context from the start. A function that
is new since REF has no callers to keep, so its advice is ctx as the first
parameter, exported or not.

--format chooses the output: text (the default), json (the findings with
each function's lines; --json is the same), sarif (a SARIF 2.1.0 log for
code scanning) or github (::warning annotations for GitHub Actions). SARIF
and GitHub name files relative to the module root.

Not reported: functions taking a context, HTTP handlers, functions whose
FooContext exists, test files, generated files, main, init, and methods whose
signature an outside interface fixes (io.Reader's Read).

The exit status is 1 when there are findings, 0 when there are none. The same
analyzer runs under go vet: go vet -vettool=$(which smartmigrate-vet) ./...

Packages default to ./... (test files are not checked).`,
		Example: `  smartmigrate check                       # every blocking function without a context
  smartmigrate check --since origin/main   # only those added or changed on this branch
  smartmigrate check --since HEAD~1 --json ./api/...
  smartmigrate check --format=sarif > ctxcheck.sarif
  smartmigrate check --since origin/main --format=github`,
		RunE: func(cmd *cobra.Command, args []string) error {
			pats, err := o.member(args)
			if err != nil {
				return err
			}
			o.Patterns = pats
			if o.JSON {
				if cmd.Flags().Changed("format") && o.Format != string(checker.FormatJSON) {
					return usageHint(cmd, fmt.Errorf("--json is --format=json: it cannot go with --format=%s", o.Format))
				}
				o.Format = string(checker.FormatJSON)
			}
			if _, err := checker.ParseFormat(o.Format); err != nil {
				return usageHint(cmd, fmt.Errorf("--format: %w", err))
			}
			if runF != nil {
				return runF(o)
			}
			return runCheck(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Since, "since", "", "report only functions added or changed since the git `REF` (a commit, branch or tag)")
	f.StringVar(&o.Format, "format", string(checker.FormatText), "print the findings as `FORMAT`: text, json, sarif or github")
	f.BoolVar(&o.JSON, "json", false, "print the findings as JSON (--format=json)")
	return cmd
}

func runCheck(ctx context.Context, o *checkOptions) error {
	var changes *checker.Changes
	if o.Since != "" {
		// The ref is checked before the slower load.
		var err error
		if changes, err = checker.ChangedSince(ctx, o.Dir, o.Since); err != nil {
			return err
		}
	}
	findings, err := checker.Check(ctx, o.Dir, o.Patterns...)
	if err != nil {
		return err
	}
	if changes != nil {
		findings = changes.Filter(findings)
	}
	format, err := checker.ParseFormat(o.Format)
	if err != nil {
		return err
	}
	if err := checker.Write(o.Stdout, format, checker.Result{Since: o.Since, Findings: findings}); err != nil {
		return err
	}
	if len(findings) > 0 {
		return exitError{code: 1}
	}
	return nil
}
