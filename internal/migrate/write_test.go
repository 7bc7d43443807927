package migrate_test

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/journal"
	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/internal/patch"
	"github.com/smartmigrate/smartmigrate/internal/verify"
	"github.com/smartmigrate/smartmigrate/strategies"
)

// copyExample copies the bundled example to a temporary folder.
func copyExample(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "example")
	if err := verify.CopyModule("../../testdata/example", dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// snapshot reads every file below dir, .smartmigrate included when
// withJournal is set.
func snapshot(t *testing.T, dir string, withJournal bool) map[string]string {
	t.Helper()
	files, err := readFiles(dir, withJournal)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// readFiles reads every file below dir, by slash-separated relative path,
// .smartmigrate included when withJournal is set.
func readFiles(dir string, withJournal bool) (map[string]string, error) {
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == journal.Dir && !withJournal {
				return filepath.SkipDir
			}
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	return files, err
}

// sameFiles reports every difference between two snapshots.
func sameFiles(t *testing.T, what string, want, got map[string]string) {
	t.Helper()
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s: %s is missing", what, name)
		case g != w:
			t.Errorf("%s: %s differs:\n%s", what, name, patch.Unified([]patch.FileChange{{Path: name, Old: []byte(w), New: []byte(g)}}))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: %s is new", what, name)
		}
	}
}

func applyOpts(dir, strategy string) migrate.ApplyOptions {
	return migrate.ApplyOptions{PlanOptions: migrate.PlanOptions{Dir: dir, Strategy: strategy}}
}

// TestApplyRevertRoundTrip applies every phase of each strategy, verified,
// to a copy of the example, checks that nothing is left to do and that
// the apply that says so writes nothing, then reverts every phase, newest
// first, and compares every file's bytes with the start. The strategies
// run in parallel, each in a copy of its own.
func TestApplyRevertRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("applies and verifies every phase")
	}
	t.Parallel()
	for _, strategy := range strategies.Names() {
		t.Run(strategy, func(t *testing.T) {
			t.Parallel()
			dir := copyExample(t)
			start := snapshot(t, dir, true)
			applied := 0
			for {
				before := snapshot(t, dir, true)
				res, why, err := migrate.Apply(t.Context(), applyOpts(dir, strategy), migrate.WriteOptions{})
				if err != nil {
					t.Fatalf("apply %d: %v", applied+1, err)
				}
				if res == nil {
					if why != "nothing left to migrate" {
						t.Errorf("why = %q", why)
					}
					// Applying after the last phase changes nothing.
					sameFiles(t, "apply after the last phase", before, snapshot(t, dir, true))
					break
				}
				applied++
				if res.Journal.Number != applied {
					t.Errorf("journal number %d, want %d", res.Journal.Number, applied)
				}
				if applied > 20 {
					t.Fatal("more than 20 phases: apply does not progress")
				}
			}
			if applied < 2 {
				t.Fatalf("%d phases applied, want several", applied)
			}
			plan, err := migrate.Plan(t.Context(), migrate.PlanOptions{Dir: dir, Strategy: strategy})
			if err != nil {
				t.Fatal(err)
			}
			if len(plan.Plan.Phases) != 0 {
				t.Errorf("plan after the last phase has %d phases", len(plan.Plan.Phases))
			}
			for i := applied; i >= 1; i-- {
				rs, err := migrate.Revert(migrate.RevertOptions{Dir: dir})
				if err != nil {
					t.Fatalf("revert: %v", err)
				}
				if len(rs) != 1 || rs[0].Phase.Number != i || !rs[0].Exact {
					t.Fatalf("revert %d: %+v", i, rs)
				}
			}
			if _, err := migrate.Revert(migrate.RevertOptions{Dir: dir}); err == nil || !strings.Contains(err.Error(), "nothing to revert") {
				t.Errorf("revert with nothing applied: %v", err)
			}
			end := snapshot(t, dir, true)
			j, err := journal.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(j.Phases) != applied || len(j.Applied()) != 0 {
				t.Errorf("journal has %d phases, %d applied; want %d, 0", len(j.Phases), len(j.Applied()), applied)
			}
			for name := range end {
				if strings.HasPrefix(name, journal.Dir+"/") {
					delete(end, name)
				}
			}
			sameFiles(t, "after reverting everything", start, end)
		})
	}
}

// firstPhase is the example with the first bottom-up phase applied,
// built once (see applyFirst); tests get copies of it.
var firstPhase struct {
	once sync.Once
	// dir holds the example after the phase, .smartmigrate included.
	dir string
	// before are the example's files before the phase.
	before map[string]string
	err    error
}

// applyFirst returns a copy of the example with the first bottom-up phase
// applied, and the file contents before it. The phase is applied and
// verified once, in a folder that TestMain removes; each caller gets its
// own copy to change.
func applyFirst(t *testing.T) (dir string, before map[string]string) {
	t.Helper()
	f := &firstPhase
	f.once.Do(func() { f.dir, f.before, f.err = buildFirstPhase(t.Context()) })
	if f.err != nil {
		t.Fatalf("apply the first phase: %v", f.err)
	}
	dir = filepath.Join(t.TempDir(), "example")
	if err := os.CopyFS(dir, os.DirFS(f.dir)); err != nil {
		t.Fatal(err)
	}
	return dir, maps.Clone(f.before)
}

// buildFirstPhase applies the first bottom-up phase to a fixture copy of
// the example and returns the copy and the files before the phase.
func buildFirstPhase(ctx context.Context) (string, map[string]string, error) {
	dir, before, err := fixtureCopy()
	if err != nil {
		return "", nil, err
	}
	res, why, err := migrate.Apply(ctx, applyOpts(dir, "bottom-up"), migrate.WriteOptions{})
	if err == nil && res == nil {
		err = errors.New(why)
	}
	return dir, before, err
}

// pristine is a copy of the example that no test changes, with its first
// bottom-up phase rewritten (not written), built once for the tests that
// check that a write that is refused or interrupted leaves the tree as it
// was. A test that wrote there would make the others fail too.
var pristine struct {
	once sync.Once
	dir  string
	// files are the copy's files, .smartmigrate included (there is none).
	files map[string]string
	rep   *migrate.PhaseReport
	err   error
}

// firstRewritten returns the pristine copy, its files and its first
// bottom-up phase; the report is the caller's to change (its rewrite and
// file list are copies), the tree is not.
func firstRewritten(t *testing.T) (dir string, files map[string]string, rep *migrate.PhaseReport) {
	t.Helper()
	p := &pristine
	p.once.Do(func() {
		if p.dir, p.files, p.err = fixtureCopy(); p.err == nil {
			p.rep, p.err = rewritePhase(t.Context(), applyOpts(p.dir, "bottom-up"))
		}
	})
	if p.err != nil || p.rep == nil {
		t.Fatalf("rewrite the first phase: %v", p.err)
	}
	r := *p.rep
	rw := *r.Rewrite
	rw.Files = slices.Clone(rw.Files)
	r.Rewrite = &rw
	return p.dir, p.files, &r
}

// pristineWrites makes the writes to the pristine copy take turns (see
// writePristine).
var pristineWrites sync.Mutex

// writePristine runs WritePhase on a phase of the pristine copy and
// snapshots the copy after it. The tests that share the copy run side by
// side, and a write holds the module's lock file while it checks the
// phase: one at a time, each snapshot shows only what its own write left.
func writePristine(ctx context.Context, t *testing.T, rep *migrate.PhaseReport, w migrate.WriteOptions) (map[string]string, error) {
	t.Helper()
	pristineWrites.Lock()
	defer pristineWrites.Unlock()
	_, err := migrate.WritePhase(ctx, rep, w)
	return snapshot(t, rep.Dir, true), err
}

// fixtureCopy copies the example to a new folder that TestMain removes,
// and returns the copy and its files.
func fixtureCopy() (string, map[string]string, error) {
	tmp, err := os.MkdirTemp("", "smartmigrate-fixture-*")
	if err != nil {
		return "", nil, err
	}
	fixtureMu.Lock()
	fixtureDirs = append(fixtureDirs, tmp)
	fixtureMu.Unlock()
	dir := filepath.Join(tmp, "example")
	if err := verify.CopyModule("../../testdata/example", dir); err != nil {
		return "", nil, err
	}
	files, err := readFiles(dir, true)
	return dir, files, err
}

// fixtureDirs are the folders of the fixtures built once; TestMain
// removes them.
var (
	fixtureMu   sync.Mutex
	fixtureDirs []string
)

// TestRevertAfterHandEditOutsideHunks edits a changed file where the phase
// did not change it: revert applies the reverse patch and keeps the edit.
func TestRevertAfterHandEditOutsideHunks(t *testing.T) {
	t.Parallel()
	dir, before := applyFirst(t)
	path := filepath.Join(dir, "store", "store.go")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const old = "// Item is one line of inventory."
	const edit = "// Item is one line of inventory (edited by hand)."
	if !strings.Contains(string(data), old) {
		t.Fatalf("store.go has no %q", old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, edit, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	rs, err := migrate.Revert(migrate.RevertOptions{Dir: dir})
	if err != nil {
		t.Fatalf("revert: %v", err)
	}
	if len(rs) != 1 || rs[0].Exact {
		t.Errorf("reverted = %+v, want one phase, not exact", rs)
	}
	want := before
	want["store/store.go"] = strings.Replace(want["store/store.go"], old, edit, 1)
	sameFiles(t, "after revert", want, snapshot(t, dir, false))
}

// TestRevertAfterHandEditInHunk edits a line the phase added: revert
// refuses, names the file and hunk, and changes nothing.
func TestRevertAfterHandEditInHunk(t *testing.T) {
	t.Parallel()
	dir, _ := applyFirst(t)
	path := filepath.Join(dir, "store", "store.go")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const old = "QueryRowContext(ctx, selectItem, id)"
	if !strings.Contains(string(data), old) {
		t.Fatalf("store.go has no %q after the phase", old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, "QueryRowContext(ctx, selectItem, id /* by hand */)", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	edited := snapshot(t, dir, true)
	_, err = migrate.Revert(migrate.RevertOptions{Dir: dir})
	var he *patch.HunkError
	if !errors.As(err, &he) {
		t.Fatalf("revert error = %v, want a *patch.HunkError", err)
	}
	if he.Path != "store/store.go" || he.Index < 1 || !strings.HasPrefix(he.Header, "@@ ") {
		t.Errorf("hunk error = %+v", he)
	}
	if !strings.Contains(err.Error(), "store/store.go: hunk ") || !strings.Contains(err.Error(), "nothing was changed") {
		t.Errorf("error = %q", err)
	}
	sameFiles(t, "after the refused revert", edited, snapshot(t, dir, true))
}

// TestApplyRefusesIncompatibleAPI feeds the apply core a phase whose
// rewrite also renames an exported variable: apidiff reports it, and
// nothing is written.
func TestApplyRefusesIncompatibleAPI(t *testing.T) {
	t.Parallel()
	dir, start, rep := firstRewritten(t)
	spoilPhase(t, dir, rep, func(_, src string) string { return strings.ReplaceAll(src, "ErrInsufficient", "ErrShort") })
	after, err := writePristine(t.Context(), t, rep, migrate.WriteOptions{})
	var f *verify.Failure
	if !errors.As(err, &f) || f.Check != "API compatibility" {
		t.Fatalf("error = %v, want an API compatibility failure", err)
	}
	for _, want := range []string{"package example.com/shop/store", "Incompatible changes:", "- ErrInsufficient: removed", "nothing was written"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%s", want, err)
		}
	}
	sameFiles(t, "after the refused apply", start, after)
}

// TestApplyFailingVerifyCommand: --verify false writes nothing.
func TestApplyFailingVerifyCommand(t *testing.T) {
	t.Parallel()
	_, start, rep := firstRewritten(t)
	after, err := writePristine(t.Context(), t, rep, migrate.WriteOptions{Verify: "echo checking; false"})
	var f *verify.Failure
	if !errors.As(err, &f) || f.Check != "--verify" || !strings.Contains(f.Detail, "checking") {
		t.Fatalf("error = %v, want a --verify failure with the command's output", err)
	}
	sameFiles(t, "after the failed apply", start, after)
}

// TestApplyFollowsSavedPlan deletes a unit from a saved plan: apply skips
// it; an edit to the source makes apply refuse with the changed file.
func TestApplyFollowsSavedPlan(t *testing.T) {
	t.Parallel()
	dir := copyExample(t)
	rep, err := migrate.Plan(t.Context(), migrate.PlanOptions{Dir: dir, Strategy: "top-down"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrate.SavePlan(rep); err != nil {
		t.Fatal(err)
	}
	sp, err := journal.LoadPlan(dir)
	if err != nil {
		t.Fatal(err)
	}
	first := sp.Phases[0]
	if len(first.Units) < 2 {
		t.Fatalf("top-down phase 1 has %d units", len(first.Units))
	}
	dropped := first.Units[0].ID
	sp.Phases[0].Units = first.Units[1:]
	if _, err := journal.SavePlan(dir, *sp); err != nil {
		t.Fatal(err)
	}
	// --strategy is ignored: the saved plan says top-down.
	res, _, err := migrate.Apply(t.Context(), applyOpts(dir, "bottom-up"), migrate.WriteOptions{})
	if err != nil || res == nil {
		t.Fatalf("apply: %v", err)
	}
	if res.Journal.Strategy != "top-down" || len(res.Journal.Units) != len(first.Units)-1 {
		t.Errorf("applied %s units %v", res.Journal.Strategy, res.Journal.Units)
	}
	for _, u := range res.Journal.Units {
		if u == dropped {
			t.Errorf("the deleted unit %s was migrated", dropped)
		}
	}
	// The phase is applied: asking for it again does nothing.
	o := applyOpts(dir, "")
	o.Phase = first.ID
	if res, why, err := migrate.Apply(t.Context(), o, migrate.WriteOptions{}); res != nil || err != nil || !strings.Contains(why, "already applied") {
		t.Errorf("apply --phase %s again = %v, %q, %v", first.ID, res, why, err)
	}
	if res.Journal.ID != first.ID {
		t.Errorf("journal has phase %s, the saved plan %s", res.Journal.ID, first.ID)
	}
	// A hand edit makes the plan stale.
	path := filepath.Join(dir, "runner", "runner.go")
	data, _ := os.ReadFile(path)
	if err := os.WriteFile(path, append(data, "\n// edited\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = migrate.Apply(t.Context(), applyOpts(dir, ""), migrate.WriteOptions{})
	var stale *migrate.StalePlanError
	if !errors.As(err, &stale) || len(stale.Changed) != 1 || stale.Changed[0] != "runner/runner.go (changed)" || !strings.Contains(err.Error(), "plan --save") {
		t.Errorf("apply on edited source: %v", err)
	}
}

// rewritePhase is the next phase of the plan, rewritten.
func rewritePhase(ctx context.Context, o migrate.ApplyOptions) (*migrate.PhaseReport, error) {
	rep, _, err := migrate.NextPhase(ctx, o)
	return rep, err
}

// TestRevertNamesDependentPhase: a function migrated in place whose
// parameters are written one per line is still known as what phase 1
// created, so reverting phase 1 while phase 2 calls it names phase 2
// instead of failing on a hunk, and --cascade reverts both.
func TestRevertNamesDependentPhase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, src := range map[string]string{
		"go.mod": "module example.com/lines\n\ngo 1.24\n",
		"lines.go": `package lines

import "net/http"

func load(
	url string,
	n int,
) error {
	_, err := http.Get(url)
	return err
}

// Load loads url.
func Load(url string) error { return load(url, 1) }
`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	start := snapshot(t, dir, false)
	var ids []string
	for i := 1; i <= 2; i++ {
		res, why, err := migrate.Apply(t.Context(), applyOpts(dir, "bottom-up"), migrate.WriteOptions{})
		if err != nil || res == nil {
			t.Fatalf("apply %d: %v %s", i, err, why)
		}
		ids = append(ids, res.Journal.ID)
	}
	_, err := migrate.Revert(migrate.RevertOptions{Dir: dir, RevertOptions: journal.RevertOptions{Phase: ids[0]}})
	var de *journal.DependentsError
	if !errors.As(err, &de) || len(de.Later) != 1 || de.Later[0] != ids[1] {
		t.Fatalf("revert of phase %s = %v, want phase %s named as depending on it", ids[0], err, ids[1])
	}
	if _, err := migrate.Revert(migrate.RevertOptions{Dir: dir, RevertOptions: journal.RevertOptions{Phase: ids[0], Cascade: true}}); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, "after the cascade", start, snapshot(t, dir, false))
}
