package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/smartmigrate/smartmigrate/internal/checker"
	"github.com/spf13/cobra"
)

// checkOptions are the check command's flags and arguments.
type checkOptions struct {
	*globals
	// Since is a git ref: only functions changed since it are reported.
	Since    string
	JSON     bool
	Patterns []string
}

// checkReport is what check --json prints.
type checkReport struct {
	// Since is the --since ref, "" when every function was checked.
	Since    string            `json:"since,omitempty"`
	Count    int               `json:"count"`
	Findings []checker.Finding `json:"findings"`
}

func newCheckCmd(g *globals, runF func(*checkOptions) error) *cobra.Command {
	o := &checkOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "check [--since REF] [packages]",
		Short: "Fail when functions block without a context (a CI gate for new code)",
		Long: `check reports the functions that block without taking a context.Context:
they call a sink (http.Get, (*sql.DB).Query, exec.Command, any X with a
sibling XContext, a context.Background() that is not returned) or a function
of the module that does. Each finding gives file:line:col, the sink reached
and the ctx form to add (+FooContext for exported functions of importable
packages, ctx as first parameter for the rest).

With --since REF, only functions added or changed since the git ref are
reported (the lines of git diff REF, untracked files included): legacy code
waits for its phase, new code gets a context from the start.

Not reported: functions taking a context, HTTP handlers, functions whose
FooContext exists, test files, generated files, main, init, and methods whose
signature an outside interface fixes (io.Reader's Read).

The exit status is 1 when there are findings, 0 when there are none. The same
analyzer runs under go vet: go vet -vettool=$(which smartmigrate-vet) ./...

Packages default to ./... (test files are not checked).`,
		Example: `  smartmigrate check                       # every blocking function without a context
  smartmigrate check --since origin/main   # only those added or changed on this branch
  smartmigrate check --since HEAD~1 --json ./api/...`,
		RunE: func(cmd *cobra.Command, args []string) error {
			pats, err := o.member(args)
			if err != nil {
				return err
			}
			o.Patterns = pats
			if runF != nil {
				return runF(o)
			}
			return runCheck(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Since, "since", "", "report only functions added or changed since the git `REF` (a commit, branch or tag)")
	f.BoolVar(&o.JSON, "json", false, "print the findings as JSON")
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
	if o.JSON {
		rep := checkReport{Since: o.Since, Count: len(findings), Findings: findings}
		if rep.Findings == nil {
			rep.Findings = []checker.Finding{}
		}
		enc := json.NewEncoder(o.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		for _, f := range findings {
			fmt.Fprintln(o.Stdout, f)
		}
		fmt.Fprintln(o.Stdout, countLine(len(findings), o.Since))
	}
	if len(findings) > 0 {
		return exitError{code: 1}
	}
	return nil
}

// countLine is "2 functions block without a context.Context (changed since
// origin/main)".
func countLine(n int, since string) string {
	s := fmt.Sprintf("%d functions block without a context.Context", n)
	switch n {
	case 0:
		s = "no function blocks without a context.Context"
	case 1:
		s = "1 function blocks without a context.Context"
	}
	if since != "" {
		s += " in code changed since " + since
	}
	return s
}
