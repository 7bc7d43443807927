package migrate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/smartmigrate/smartmigrate/internal/journal"
	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/progress"
	"github.com/smartmigrate/smartmigrate/internal/verify"
)

// WriteOptions say how to write a phase.
type WriteOptions struct {
	// Verify is a shell command that must pass on a copy of the module with
	// the phase applied ("go test ./..."); "" runs none.
	Verify string
	// AllowDirty writes even when files the phase touches have uncommitted
	// changes in git.
	AllowDirty bool
	// Commit makes a git commit of the phase (its files and .smartmigrate).
	Commit bool
	// Context, when set, interrupts the apply (Ctrl-C): a cancel before
	// the files are written writes nothing, and WritePhase returns an
	// error wrapping context.Canceled. The write itself, once begun, is
	// not interrupted (it is short, and a crash in it is finished or undone
	// by the next command, see Recover).
	Context context.Context
	// Progress, when set, says which check runs.
	Progress *progress.Printer
}

// Interrupted is the error of an apply stopped before it wrote anything.
type Interrupted struct{ Err error }

func (e *Interrupted) Error() string {
	return "interrupted; nothing was written"
}

func (e *Interrupted) Unwrap() error { return e.Err }

// ApplyResult is a phase written to the module.
type ApplyResult struct {
	Report  *PhaseReport   `json:"phase"`
	Journal journal.Phase  `json:"journal"`
	Verify  *verify.Result `json:"verify"`
	// Commit is the git commit made with --commit.
	Commit string `json:"commit,omitempty"`
	// Took is how long the apply took, verification included.
	Took time.Duration `json:"took"`
}

// Recover finishes or undoes an apply or revert that was interrupted in
// the module that holds dir; it returns what it did ("" for nothing). A
// dir outside any module has nothing to recover.
func Recover(dir string) (string, error) {
	if dir == "" {
		dir = "."
	}
	root, err := load.FindRoot(dir)
	if err != nil {
		return "", nil
	}
	return journal.Recover(root)
}

// Apply rewrites the next phase (or o.Phase), verifies it and writes it
// through the journal. It returns nil and why when there is nothing to do.
func Apply(o ApplyOptions, w WriteOptions) (*ApplyResult, string, error) {
	start := time.Now()
	rep, why, err := NextPhase(o)
	if err != nil || rep == nil {
		return nil, why, err
	}
	res, err := WritePhase(rep, w)
	if res != nil {
		res.Took = time.Since(start)
	}
	return res, "", err
}

// WritePhase verifies a rewritten phase and, when it passes, writes it:
// atomically, through the journal, with its patch in
// .smartmigrate/phases. A phase that fails a check writes nothing and
// returns a *verify.Failure.
func WritePhase(rep *PhaseReport, w WriteOptions) (*ApplyResult, error) {
	ctx := w.Context
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return nil, &Interrupted{err}
	}
	root := rep.Dir
	files := rep.Rewrite.Files
	if len(files) == 0 {
		return nil, fmt.Errorf("phase %d changes no file", rep.Phase.Number)
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	inGit := isGitWorkTree(root)
	if w.Commit && !inGit {
		return nil, errors.New("--commit: the module is not in a git work tree")
	}
	if inGit && !w.AllowDirty {
		dirty, err := gitDirty(root, paths)
		if err != nil {
			return nil, err
		}
		if len(dirty) > 0 {
			return nil, fmt.Errorf("files the phase changes have uncommitted changes; commit or stash them, or use --allow-dirty:\n  %s", strings.Join(dirty, "\n  "))
		}
	}
	in := verify.Input{Root: root, Files: files, Command: w.Verify, Context: ctx, Progress: w.Progress}
	if rep.whole {
		in.Old = rep.mod
	}
	vr, err := verify.Phase(in)
	if cerr := ctx.Err(); cerr != nil {
		return nil, &Interrupted{cerr}
	}
	if err != nil {
		return nil, err
	}
	// The tree must still be what the phase was computed from.
	var writes []journal.FileWrite
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f.Path)))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if (err != nil) != (f.Old == nil) || !bytes.Equal(data, f.Old) {
			return nil, fmt.Errorf("%s changed while the phase was verified; nothing was written, run apply again", f.Path)
		}
		writes = append(writes, journal.FileWrite{Path: f.Path, Old: f.Old, New: f.New})
	}
	units := rep.Rewrite.Units
	if len(units) == 0 {
		for _, u := range rep.Phase.Units {
			units = append(units, u.ID)
		}
	}
	// The last moment an interrupt writes nothing; from here the journal
	// makes the write atomic.
	if err := ctx.Err(); err != nil {
		return nil, &Interrupted{err}
	}
	w.Progress.Printf("writing the phase through the journal…")
	jp, err := journal.Append(root, journal.NewPhase{Strategy: rep.Strategy, Units: units, Files: writes, Patch: rep.Patch})
	if err != nil {
		return nil, err
	}
	res := &ApplyResult{Report: rep, Journal: jp, Verify: vr}
	if w.Commit {
		if res.Commit, err = gitCommit(root, paths, commitMessage(rep, jp)); err != nil {
			return res, fmt.Errorf("phase %d is applied, but the commit failed: %w", jp.Number, err)
		}
	}
	return res, nil
}

func commitMessage(rep *PhaseReport, jp journal.Phase) string {
	var b strings.Builder
	fmt.Fprintf(&b, "smartmigrate: phase %d (%s), %d %s\n\n", jp.Number, jp.Strategy, len(jp.Units), plural(len(jp.Units), "unit", "units"))
	if rep.Phase.Reason != "" {
		fmt.Fprintf(&b, "%s\n\n", rep.Phase.Reason)
	}
	for _, u := range jp.Units {
		fmt.Fprintf(&b, "- %s\n", shortID(rep.Module, u))
	}
	fmt.Fprintf(&b, "\nPatch: %s/%s\n", journal.Dir, jp.Patch)
	return b.String()
}

// shortID trims the module path from a unit's ID, as report.Short does.
func shortID(module, id string) string {
	if rest, ok := strings.CutPrefix(id, module+"/"); ok {
		return rest
	}
	if rest, ok := strings.CutPrefix(id, module+"."); ok {
		return module[strings.LastIndex(module, "/")+1:] + "." + rest
	}
	return id
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// isGitWorkTree reports whether dir is inside a git work tree (false when
// git is not installed).
func isGitWorkTree(dir string) bool {
	out, err := git(dir, "rev-parse", "--is-inside-work-tree")
	return err == nil && strings.TrimSpace(out) == "true"
}

// gitDirty returns the lines of git status --porcelain for paths.
func gitDirty(dir string, paths []string) ([]string, error) {
	out, err := git(dir, append([]string{"status", "--porcelain", "--"}, paths...)...)
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return lines, nil
}

// gitCommit commits paths and the journal folder, and nothing else that
// may be staged, and returns the commit's hash.
func gitCommit(dir string, paths []string, msg string) (string, error) {
	spec := append(append([]string{}, paths...), journal.Dir)
	if _, err := git(dir, append([]string{"add", "-A", "--"}, spec...)...); err != nil {
		return "", err
	}
	if _, err := git(dir, append([]string{"commit", "-q", "-m", msg, "--"}, spec...)...); err != nil {
		return "", err
	}
	out, err := git(dir, "rev-parse", "HEAD")
	return strings.TrimSpace(out), err
}

func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// RevertOptions say which phase to revert.
type RevertOptions struct {
	// Dir is a folder inside the module.
	Dir string
	journal.RevertOptions
}

// Revert undoes an applied phase; see journal.Revert.
func Revert(o RevertOptions) ([]journal.Reverted, error) {
	dir := o.Dir
	if dir == "" {
		dir = "."
	}
	root, err := load.FindRoot(dir)
	if err != nil {
		return nil, err
	}
	return journal.Revert(root, o.RevertOptions)
}
