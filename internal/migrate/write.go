package migrate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/git"
	"github.com/smartmigrate/smartmigrate/internal/journal"
	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/patch"
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
	// Progress, when set, says which check runs.
	Progress *progress.Printer
	// Vet says where the type-check and go vet run (verify.VetInProcess,
	// the default, or verify.VetGo: a copy and the go command's go vet).
	Vet verify.VetMode
	// Warn, when set, gets the phase's warnings (Apply) before it is
	// verified and written.
	Warn func(string)
	// written are the files that earlier phases of ApplyAll wrote and
	// did not commit: their changes are no one else's.
	written map[string]bool
	// plansNext is set by ApplyAll, which plans each phase from the
	// module the previous one's check left (verify.Input.WantModule).
	plansNext bool
}

// Interrupted is the error of an apply stopped before it wrote anything.
type Interrupted struct{ Err error }

func (e *Interrupted) Error() string {
	return "interrupted; nothing was written"
}

func (e *Interrupted) Unwrap() error { return e.Err }

// ApplyResult is a phase written to the module.
type ApplyResult struct {
	Report  *PhaseReport
	Journal journal.Phase
	Verify  *verify.Result
	// Commit is the git commit made with --commit.
	Commit string
	// Took is how long the apply took, verification included.
	Took time.Duration
}

// Recover finishes or undoes an apply or revert that was interrupted in
// the module that holds dir; it returns what it did ("" for nothing). A
// dir outside any module has nothing to recover. It also removes the
// verification copies that killed processes left in the temporary folder.
func Recover(dir string) (string, error) {
	if dir == "" {
		dir = "."
	}
	// Best effort: an unreadable temporary folder is no reason to stop.
	_, _ = verify.RemoveStale()
	root, err := load.FindRoot(dir)
	if err != nil {
		return "", nil
	}
	return journal.Recover(root)
}

// Lock takes the writer lock of the module that holds dir (see
// journal.AcquireLock): a command that writes holds it from start to end,
// so a second writer refuses at once, naming the holder.
func Lock(dir string) (*journal.Lock, error) {
	if dir == "" {
		dir = "."
	}
	root, err := load.FindRoot(dir)
	if err != nil {
		return nil, err
	}
	return journal.AcquireLock(root)
}

// Apply rewrites the next phase (or o.Phase), verifies it and writes it
// through the journal. It returns nil and why when there is nothing to do.
func Apply(ctx context.Context, o ApplyOptions, w WriteOptions) (*ApplyResult, string, error) {
	start := time.Now()
	rep, why, err := NextPhase(ctx, o)
	if err != nil || rep == nil {
		return nil, why, err
	}
	warn(w, rep.Warnings)
	res, err := WritePhase(ctx, rep, w)
	if retry := keepShimsRetry(rep, err); retry != "" {
		// What the analysis cannot see (a file left out because it does
		// not type-check, reflection) may still use a shim it removes.
		warn(w, []string{retry})
		o.keepShims = true
		if rep, why, err = NextPhase(ctx, o); err != nil || rep == nil {
			return nil, why, err
		}
		res, err = WritePhase(ctx, rep, w)
	}
	if res != nil {
		res.Took = time.Since(start)
	}
	return res, "", err
}

// warn passes msgs to w.Warn, when set.
func warn(w WriteOptions, msgs []string) {
	if w.Warn == nil {
		return
	}
	for _, m := range msgs {
		w.Warn(m)
	}
}

// keepShimsRetry says why a finalize phase is tried again keeping every
// shim: it removed some and failed verification; "" otherwise.
func keepShimsRetry(rep *PhaseReport, err error) string {
	var f *verify.Failure
	if rep.Strategy != FinalizeStrategy || !errors.As(err, &f) {
		return ""
	}
	var removed []string
	for _, s := range rep.Shims {
		if s.Removed {
			removed = append(removed, s.ID)
		}
	}
	if len(removed) == 0 {
		return ""
	}
	return fmt.Sprintf("removing the unused %s %s failed verification (%s: %s); kept", plural(len(removed), "shim", "shims"), strings.Join(removed, ", "), f.Check, firstLine(f.Detail))
}

// firstLine is s up to its first newline.
func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// WritePhase verifies a rewritten phase and, when it passes, writes it:
// atomically, through the journal, with its patch in .smartmigrate/phases.
// A phase that fails a check writes nothing and returns a
// *verify.Failure. When ctx is done before the write begins, nothing is
// written and the error is an *Interrupted; the write itself, once begun,
// is not interrupted (it is short, and a crash in it is finished or undone
// by the next command, see Recover). The check empties the type
// information of rep.Model's packages that the phase replaces (see
// verify.Input.ReleaseOld): rep.Model is not for analysing again.
func WritePhase(ctx context.Context, rep *PhaseReport, w WriteOptions) (*ApplyResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Interrupted{err}
	}
	files := rep.Rewrite.Files
	if len(files) == 0 {
		return nil, fmt.Errorf("phase %s changes no file", rep.Phase.ID)
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	if err := checkLinks(rep.Dir, paths); err != nil {
		return nil, err
	}
	if err := checkGit(ctx, rep.Dir, paths, w); err != nil {
		return nil, err
	}
	// The journal stages the phase while it is verified: staging waits on
	// the disk, the checks on the processor. A phase refused or
	// interrupted leaves nothing staged.
	staged, err := journal.Stage(rep.Dir, phaseWrites(files), rep.Patch)
	if err != nil {
		return nil, err
	}
	defer staged.Discard()
	in := verify.Input{Root: rep.Dir, Files: files, Command: w.Verify, Progress: w.Progress, Vet: w.Vet, ReleaseOld: true, WantModule: w.plansNext}
	if rep.whole {
		in.Old = rep.Model.Load
	}
	vr, err := verify.Phase(ctx, in)
	if cerr := ctx.Err(); cerr != nil {
		return nil, &Interrupted{cerr}
	}
	if err != nil {
		return nil, err
	}
	writes, err := unchanged(rep)
	if err != nil {
		return nil, err
	}
	// The last moment an interrupt writes nothing; from here the journal
	// makes the write atomic.
	if err := ctx.Err(); err != nil {
		return nil, &Interrupted{err}
	}
	w.Progress.Printf("writing the phase through the journal…")
	jp, err := journal.Append(rep.Dir, journal.NewPhase{
		ID: rep.Phase.ID, Strategy: rep.Strategy, Units: rep.Rewrite.Units, Files: writes, Patch: rep.Patch,
		Created: rep.Rewrite.CreatedNames(), Uses: rep.Rewrite.Uses, Commit: w.Commit, Staged: staged,
	})
	if err != nil {
		return nil, err
	}
	res := &ApplyResult{Report: rep, Journal: jp, Verify: vr}
	if w.Commit {
		spec := append(append([]string{}, paths...), journalFiles(rep.Dir, jp)...)
		if res.Commit, err = git.Commit(ctx, rep.Dir, spec, commitMessage(rep.Module, rep.Phase.Reason, jp)); err != nil {
			return res, fmt.Errorf("phase %s is applied, but the commit failed: %w", jp.ID, err)
		}
	}
	return res, nil
}

// checkLinks refuses a phase that would write through a symbolic link
// (the analysis leaves such units out; this is the last guard).
func checkLinks(root string, paths []string) error {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return fmt.Errorf("resolve the module root %s: %w", root, err)
	}
	for _, p := range paths {
		if to, ok := IsLinked(root, realRoot, p); ok {
			return fmt.Errorf("%s is a symbolic link (to %s): smartmigrate never writes through a link; nothing was written", p, to)
		}
	}
	return nil
}

// journalFiles are the files of .smartmigrate that a commit of phase jp
// takes: the journal, the phase's patch and the saved plan (whose
// fingerprint the phase updates), when it exists. Nothing else of the
// folder (the lock, a temporary file a crash left) is ever committed.
func journalFiles(root string, jp journal.Phase) []string {
	files := []string{journal.Dir + "/journal.json", journal.Dir + "/" + jp.Patch}
	if _, err := os.Stat(filepath.Join(root, journal.Dir, "plan.json")); err == nil {
		files = append(files, journal.Dir+"/plan.json")
	}
	return files
}

// checkGit refuses to write over uncommitted changes, and to commit
// outside a work tree.
func checkGit(ctx context.Context, root string, paths []string, w WriteOptions) error {
	inGit := git.IsWorkTree(ctx, root)
	if w.Commit && !inGit {
		return optionErrorf("--commit: the module is not in a git work tree")
	}
	if !inGit || w.AllowDirty {
		return nil
	}
	dirty, err := git.Dirty(ctx, root, paths)
	if err != nil {
		return err
	}
	dirty = slices.DeleteFunc(dirty, w.ownChange)
	if len(dirty) > 0 {
		return &RefusedError{Msg: fmt.Sprintf("files the phase changes have uncommitted changes; commit or stash them, or use --allow-dirty:\n  %s", strings.Join(dirty, "\n  "))}
	}
	return nil
}

// ownChange reports whether the git status line d is a file an earlier
// phase of this ApplyAll wrote. Status paths are relative to the top of
// the work tree, the phase's to the module root, which may lie below it.
func (w WriteOptions) ownChange(d string) bool {
	if len(d) < 4 {
		return false
	}
	path := d[3:]
	for p := range w.written {
		if path == p || strings.HasSuffix(path, "/"+p) {
			return true
		}
	}
	return false
}

// unchanged checks that the tree is still what the phase was computed
// from, and returns the phase's writes.
func unchanged(rep *PhaseReport) ([]journal.FileWrite, error) {
	for _, f := range rep.Rewrite.Files {
		data, err := os.ReadFile(filepath.Join(rep.Dir, filepath.FromSlash(f.Path)))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if (err != nil) != (f.Old == nil) || !bytes.Equal(data, f.Old) {
			return nil, fmt.Errorf("%s changed while the phase was verified; nothing was written, run apply again", f.Path)
		}
	}
	return phaseWrites(rep.Rewrite.Files), nil
}

// phaseWrites are the journal's writes of a phase's files.
func phaseWrites(files []patch.FileChange) []journal.FileWrite {
	writes := make([]journal.FileWrite, len(files))
	for i, f := range files {
		writes[i] = journal.FileWrite{Path: f.Path, Old: f.Old, New: f.New}
	}
	return writes
}

// commitMessage is the message of phase jp's commit in module; reason,
// when known, is the plan's reason for the phase.
func commitMessage(module, reason string, jp journal.Phase) string {
	var b strings.Builder
	fmt.Fprintf(&b, "smartmigrate: phase %s (%s), %d %s\n\n", jp.ID, jp.Strategy, len(jp.Units), plural(len(jp.Units), "unit", "units"))
	if reason != "" {
		fmt.Fprintf(&b, "%s\n\n", reason)
	}
	for _, u := range jp.Units {
		fmt.Fprintf(&b, "- %s\n", analysis.ShortID(module, u))
	}
	fmt.Fprintf(&b, "\nPatch: %s/%s\n", journal.Dir, jp.Patch)
	return b.String()
}

// RevertOptions say which phase to revert.
type RevertOptions struct {
	// Dir is a folder inside the module.
	Dir string
	journal.RevertOptions
}

// Revert undoes an applied phase; see journal.Revert.
func Revert(o RevertOptions) ([]journal.Reverted, error) {
	root, err := load.FindRoot(o.dir())
	if err != nil {
		return nil, err
	}
	return journal.Revert(root, o.RevertOptions)
}

// RevertPatch is what Revert would do, as a patch, writing nothing: the
// phases it would revert and the unified diff of the tree's files.
func RevertPatch(o RevertOptions) ([]journal.Reverted, string, error) {
	root, err := load.FindRoot(o.dir())
	if err != nil {
		return nil, "", err
	}
	done, writes, err := journal.PlanRevert(root, o.RevertOptions)
	if err != nil {
		return nil, "", err
	}
	var changes []patch.FileChange
	for _, w := range writes {
		changes = append(changes, patch.FileChange{Path: w.Path, Old: w.Old, New: w.New})
	}
	return done, patch.Unified(changes), nil
}

func (o RevertOptions) dir() string {
	if o.Dir == "" {
		return "."
	}
	return o.Dir
}
