package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/spf13/cobra"
)

// globals are the flags every command takes.
type globals struct {
	// Dir is the -C flag: the folder to run in.
	Dir    string
	Stdout io.Writer
	Stderr io.Writer
}

// exitError carries an exit code out of a command that has already said why.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// run executes the command line args and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	g := &globals{Stdout: stdout, Stderr: stderr}
	root := newRootCmd(g)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var le *load.Error
	if errors.As(err, &le) {
		fmt.Fprintf(stderr, "smartmigrate: the module does not type-check:\n%s\n", le)
		return 1
	}
	fmt.Fprintf(stderr, "smartmigrate: %s\n", err)
	return 1
}

func newRootCmd(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "smartmigrate",
		Short: "Thread context.Context through a legacy Go module, one phase at a time",
		Long: `smartmigrate migrates a Go module from blocking, context-less code to
context-aware code gradually. Each phase is a patch that builds, passes the
tests, breaks no public API and can be reverted on its own.

For an exported function Foo it writes FooContext(ctx, ...), threads ctx into
the callees and into the standard library's context-aware calls, and keeps Foo
as a shim that calls FooContext(context.Background(), ...). Unexported
functions get ctx as their first parameter in place.`,
		Example: `  smartmigrate plan --strategy=bottom-up          # what would change, phase by phase
  smartmigrate apply --verify 'go test ./...'     # write the next phase, checked first
  smartmigrate status                             # how far the migration is
  smartmigrate revert                             # undo the last phase
  smartmigrate plan -C ./svc --json               # the same for a module elsewhere, as JSON
  smartmigrate plan --strategy=critical-path --profile=cpu.pprof`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVarP(&g.Dir, "dir", "C", ".", "run as if smartmigrate was started in `DIR` (a folder inside the module)")
	root.AddCommand(newPlanCmd(g, nil), newApplyCmd(g, nil), newRevertCmd(g, nil), newStatusCmd(g, nil), newVersionCmd(g), newCheckCmd(g, nil))
	root.CompletionOptions.HiddenDefaultCmd = false
	return root
}
