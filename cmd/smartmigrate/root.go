package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/internal/progress"
	"github.com/spf13/cobra"
)

// globals are the flags every command takes.
type globals struct {
	// Dir is the -C flag: the folder to run in.
	Dir    string
	Stdout io.Writer
	Stderr io.Writer
	// Progress says what a long command is doing, on standard error when
	// it is a terminal; nil (silent) otherwise.
	Progress *progress.Printer
	// Color is the --color flag: auto, always or never.
	Color string
}

// member resolves a run at the root of a go.work workspace: patterns
// that name one member's packages make Dir that member (see
// load.WorkspaceMember); it returns the patterns as seen from Dir.
func (g *globals) member(patterns []string) ([]string, error) {
	dir, pats, err := load.WorkspaceMember(g.Dir, patterns)
	if err != nil {
		return nil, err
	}
	g.Dir = dir
	return pats, nil
}

// useColor reports whether output to w gets colour: --color=always, or
// auto on a terminal unless NO_COLOR is set to something (no-color.org)
// or TERM is dumb.
func (g *globals) useColor(w io.Writer) bool {
	switch g.Color {
	case "always":
		return true
	case "never":
		return false
	}
	return progress.IsTerminal(w) && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
}

// exitInterrupted is the exit status after Ctrl-C, as shells report it
// (128 + SIGINT).
const exitInterrupted = 130

// exitError carries an exit code out of a command that has already said why.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// run executes the command line args and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

// runContext is run with a context that Ctrl-C cancels.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	g := &globals{Stdout: stdout, Stderr: stderr, Progress: progress.New(stderr)}
	root := newRootCmd(g)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if _, _, ferr := root.Find(args); ferr != nil && err != nil {
		err = usageError{fmt.Errorf("%w\nsee 'smartmigrate --help'", ferr)} // an unknown command
	}
	if err == nil {
		if ctx.Err() != nil {
			// Ctrl-C came once the atomic write had begun: it finished.
			fmt.Fprintf(stderr, "smartmigrate: interrupted, but only once the command had done its work (above)\n")
		}
		return 0
	}
	var intr *migrate.Interrupted
	if errors.As(err, &intr) {
		fmt.Fprintf(stderr, "smartmigrate: %s\n", intr)
		return exitInterrupted
	}
	if ctx.Err() != nil {
		// Interrupted before any write began (while loading, say; on a
		// terminal Ctrl-C also reaches the go command): the failure is the
		// interrupt, and writes only start in WritePhase, which reports
		// *migrate.Interrupted itself.
		fmt.Fprintf(stderr, "smartmigrate: interrupted; nothing was written\n")
		return exitInterrupted
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var le *load.Error
	if errors.As(err, &le) {
		fmt.Fprintf(stderr, "smartmigrate: the module does not type-check:\n%s\n", le)
	} else {
		fmt.Fprintf(stderr, "smartmigrate: %s\n", err)
	}
	return exitCode(err)
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
functions get ctx as their first parameter in place.

When standard error is a terminal, long commands say what they are doing
there (packages loaded, each check of a phase); piped, they say nothing.
Ctrl-C stops an apply and leaves the tree as it was (exit status 130); if
the phase was already being written, the write finishes, and a second Ctrl-C
that kills it is finished or undone by the next smartmigrate command.`,
		Example: `  smartmigrate plan --strategy=bottom-up          # what would change, phase by phase
  smartmigrate apply --verify 'go test ./...'     # write the next phase, checked first
  smartmigrate status                             # how far the migration is
  smartmigrate revert                             # undo the last phase
  smartmigrate plan -C ./svc --json               # the same for a module elsewhere, as JSON
  smartmigrate plan --strategy=critical-path --profile=cpu.pprof`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionLine(),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.PersistentFlags().StringVarP(&g.Dir, "dir", "C", ".", "run as if smartmigrate was started in `DIR` (a folder inside the module)")
	root.PersistentFlags().StringVar(&g.Color, "color", "auto", "colour the patch: `auto` (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never")
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		if g.Color != "auto" && g.Color != "always" && g.Color != "never" {
			return usageHint(c, fmt.Errorf("--color: %q is not auto, always or never", g.Color))
		}
		return nil
	}
	root.SetFlagErrorFunc(usageHint)
	root.SetHelpCommand(helpCmd(root))
	root.AddCommand(
		newPlanCmd(g, nil),
		newApplyCmd(g, nil),
		newRevertCmd(g, nil),
		newStatusCmd(g, nil),
		newVersionCmd(g),
		newCheckCmd(g, nil),
	)
	root.CompletionOptions.HiddenDefaultCmd = false
	for _, c := range root.Commands() {
		checkArgs(c)
	}
	return root
}

// checkArgs makes cmd's argument errors usage errors.
func checkArgs(cmd *cobra.Command) {
	if args := cmd.Args; args != nil {
		cmd.Args = func(c *cobra.Command, a []string) error {
			if err := args(c, a); err != nil {
				return usageHint(c, err)
			}
			return nil
		}
	}
}

// helpCmd is cobra's help command, but an unknown topic is a usage error
// (cobra's prints a line and exits 0).
func helpCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		RunE: func(c *cobra.Command, args []string) error {
			cmd, _, err := root.Find(args)
			if err != nil || cmd == nil || len(args) > 0 && cmd == root {
				return usageError{fmt.Errorf("unknown help topic %q; see 'smartmigrate --help'", strings.Join(args, " "))}
			}
			return cmd.Help()
		},
	}
}
