package journal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smartmigrate/smartmigrate/cmd/smartmigrate/schema"
	"github.com/smartmigrate/smartmigrate/internal/patch"
	"github.com/smartmigrate/smartmigrate/strategies"
)

// tree writes files below a new temporary folder.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, data := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func read(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(root, path)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var (
	oldFiles = map[string]string{
		"a.go":     "package a\n\nfunc A() {}\n",
		"b/b.go":   "package b\n\nfunc B() {}\n",
		"c/c.go":   "package c\n\nfunc C() {}\n",
		"go.mod":   "module a\n",
		"keep.txt": "untouched\n",
	}
	newFiles = map[string]string{
		"a.go":   "package a\n\nimport \"context\"\n\nfunc A(ctx context.Context) {}\n",
		"b/b.go": "package b\n\nfunc B() {}\n\n// more\n",
		"c/c.go": "package c\n\nfunc C() { /* new */ }\n",
	}
)

func phase() NewPhase {
	var np NewPhase
	np.ID, np.Strategy = "aaaa111", "bottom-up"
	np.Units = []string{"a.A", "b.B", "c.C"}
	var changes []patch.FileChange
	for _, name := range []string{"a.go", "b/b.go", "c/c.go"} {
		np.Files = append(np.Files, FileWrite{Path: name, Old: []byte(oldFiles[name]), New: []byte(newFiles[name])})
		changes = append(changes, patch.FileChange{Path: name, Old: []byte(oldFiles[name]), New: []byte(newFiles[name])})
	}
	np.Patch = patch.Unified(changes)
	np.Created = []string{"example.com/m.A"}
	return np
}

func withNewFiles() map[string]string {
	want := map[string]string{}
	for k, v := range oldFiles {
		want[k] = v
	}
	for k, v := range newFiles {
		want[k] = v
	}
	return want
}

func without(files map[string]string, prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range files {
		if !strings.HasPrefix(k, prefix) {
			out[k] = v
		}
	}
	return out
}

func same(t *testing.T, what string, want, got map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s = %q, want %q", what, k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected file %s", what, k)
		}
	}
}

// crash makes the transaction stop after its first file is in place.
func crash(t *testing.T) {
	afterRename = func(i int) error {
		if i == 0 {
			return errors.New("killed")
		}
		return nil
	}
	t.Cleanup(func() { afterRename = nil })
}

func TestCommitAndJournal(t *testing.T) {
	Now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	t.Cleanup(func() { Now = time.Now })
	root := tree(t, oldFiles)
	p, err := Append(root, phase())
	if err != nil {
		t.Fatal(err)
	}
	if p.Number != 1 || p.Patch != "phases/01-bottom-up.patch" || p.Time != "2026-01-02T03:04:05Z" || len(p.Files) != 3 {
		t.Errorf("phase = %+v", p)
	}
	got := read(t, root)
	same(t, "after apply", withNewFiles(), without(got, Dir+"/"))
	if got[Dir+"/phases/01-bottom-up.patch"] != phase().Patch {
		t.Errorf("patch file = %q", got[Dir+"/phases/01-bottom-up.patch"])
	}
	for _, name := range []string{Dir + "/pending.json"} {
		if _, ok := got[name]; ok {
			t.Errorf("%s is left", name)
		}
	}
	j, err := Load(root)
	if err != nil || len(j.Phases) != 1 || j.Phases[0].Files[0].Before != Hash([]byte(oldFiles["a.go"])) {
		t.Errorf("journal = %+v, %v", j, err)
	}
	if !strings.Contains(got[Dir+"/journal.json"], "\n  \"phases\": [\n") {
		t.Errorf("journal.json is not indented:\n%s", got[Dir+"/journal.json"])
	}
}

// TestCrashRollsForward kills an apply after its first file: the next
// Recover finishes it, journal included.
func TestCrashRollsForward(t *testing.T) {
	root := tree(t, oldFiles)
	crash(t)
	if _, err := Append(root, phase()); err == nil || err.Error() != "killed" {
		t.Fatalf("append = %v, want the injected crash", err)
	}
	mixed := without(read(t, root), Dir+"/")
	if mixed["a.go"] != newFiles["a.go"] || mixed["b/b.go"] != oldFiles["b/b.go"] {
		t.Fatal("the crash did not leave a mixed tree; the test tests nothing")
	}
	afterRename = nil
	msg, err := Recover(root)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "finished the interrupted apply of phase aaaa111") {
		t.Errorf("message = %q", msg)
	}
	got := read(t, root)
	same(t, "after recover", withNewFiles(), without(got, Dir+"/"))
	j, _ := Load(root)
	if len(j.Phases) != 1 || got[Dir+"/phases/01-bottom-up.patch"] == "" {
		t.Errorf("the journal does not have the phase: %+v", j)
	}
	if _, err := os.Stat(filepath.Join(root, Dir, "pending.json")); !os.IsNotExist(err) {
		t.Errorf("pending.json is left: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, Dir, "staging")); !os.IsNotExist(err) {
		t.Errorf("staging is left: %v", err)
	}
	// Recovering again does nothing.
	if msg, err := Recover(root); msg != "" || err != nil {
		t.Errorf("second recover = %q, %v", msg, err)
	}
}

// TestCrashRollsBack kills an apply after its first file, with a staged
// file lost: the next Recover puts the old tree back and records nothing.
func TestCrashRollsBack(t *testing.T) {
	root := tree(t, oldFiles)
	crash(t)
	if _, err := Append(root, phase()); err == nil {
		t.Fatal("no crash")
	}
	afterRename = nil
	if err := os.Remove(filepath.Join(root, Dir, "staging", "new", "c", "c.go")); err != nil {
		t.Fatal(err)
	}
	msg, err := Recover(root)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "rolled back the interrupted apply of phase aaaa111") {
		t.Errorf("message = %q", msg)
	}
	got := read(t, root)
	same(t, "after recover", oldFiles, got)
}

// TestRecoverRefusesForeignEdit: a file that is neither before nor after
// is left for a person to fix.
func TestRecoverRefusesForeignEdit(t *testing.T) {
	root := tree(t, oldFiles)
	crash(t)
	if _, err := Append(root, phase()); err == nil {
		t.Fatal("no crash")
	}
	afterRename = nil
	os.WriteFile(filepath.Join(root, "b", "b.go"), []byte("edited\n"), 0o644)
	if _, err := Recover(root); err == nil || !strings.Contains(err.Error(), "b/b.go is neither") {
		t.Errorf("recover = %v", err)
	}
}

// TestRevertExactAndDependents applies two phases, the second calling what
// the first created: the first cannot be reverted alone; with cascade both
// go, and the bytes are back.
func TestRevertExactAndDependents(t *testing.T) {
	root := tree(t, oldFiles)
	if _, err := Append(root, phase()); err != nil {
		t.Fatal(err)
	}
	second := "package b\n\nimport \"context\"\n\nfunc B() { a.A(context.TODO()) }\n\n// more\n"
	np := NewPhase{ID: "bbbb222", Strategy: "bottom-up", Units: []string{"b.B"},
		Files: []FileWrite{{Path: "b/b.go", Old: []byte(newFiles["b/b.go"]), New: []byte(second)}},
		Patch: patch.Unified([]patch.FileChange{{Path: "b/b.go", Old: []byte(newFiles["b/b.go"]), New: []byte(second)}}),
		Uses:  []string{"example.com/m.A"}}
	if _, err := Append(root, np); err != nil {
		t.Fatal(err)
	}
	_, err := Revert(root, RevertOptions{Phase: "aaaa"})
	var de *DependentsError
	if !errors.As(err, &de) || len(de.Later) != 1 || de.Later[0] != "bbbb222" || !strings.Contains(err.Error(), "--cascade") {
		t.Fatalf("revert 1 = %v", err)
	}
	rs, err := Revert(root, RevertOptions{Phase: "aaaa111", Cascade: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Phase.Number != 2 || rs[1].Phase.Number != 1 || !rs[0].Exact || !rs[1].Exact {
		t.Errorf("reverted = %+v", rs)
	}
	same(t, "after revert", oldFiles, without(read(t, root), Dir+"/"))
	j, _ := Load(root)
	if len(j.Applied()) != 0 || !j.Phases[0].Reverted {
		t.Errorf("journal = %+v", j)
	}
	if _, err := Revert(root, RevertOptions{Phase: "aaaa111"}); err == nil || !strings.Contains(err.Error(), "already reverted") {
		t.Errorf("revert again = %v", err)
	}
}

func TestRevertOrder(t *testing.T) {
	applied := []Phase{
		{Number: 1, Created: []string{"example.com/m.load"}},
		{Number: 2, Created: []string{"example.com/m.LoadContext"}, Uses: []string{"example.com/m.load"}},
		{Number: 3, Created: []string{"example.com/m.other"}},
		{Number: 4, Uses: []string{"example.com/m.LoadContext"}},
	}
	var got []int
	for _, p := range revertOrder(applied, applied[0]) {
		got = append(got, p.Number)
	}
	if fmt.Sprint(got) != "[4 2 1]" {
		t.Errorf("revert order of phase 1 = %v, want [4 2 1] (2 uses what 1 created, 4 what 2 created)", got)
	}
	if order := revertOrder(applied, applied[2]); len(order) != 1 {
		t.Errorf("phase 3 has dependents: %v", order)
	}
}

// A journal or plan without a version (written before formats had one)
// reads as format 1; one of a newer format is refused, naming the file
// and what to do; what Save writes carries FormatVersion (2).
func TestFormatVersion(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, Dir), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(root, Dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("journal.json", `{"phases": []}`)
	j, err := Load(root)
	if err != nil {
		t.Fatalf("a journal without a version: %v", err)
	}
	if err := j.Save(root); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(root, Dir, "journal.json"))
	if !strings.Contains(string(data), `"version": 2`) {
		t.Fatalf("saved journal has no version: %s", data)
	}
	write("journal.json", `{"version": 99, "phases": []}`)
	if _, err := Load(root); err == nil || !strings.Contains(err.Error(), "journal.json is in format version 99, newer than this smartmigrate reads (2)") {
		t.Fatalf("a journal of format 99: %v", err)
	}
	write("plan.json", `{"version": 3, "module": "m", "phases": []}`)
	if _, err := LoadPlan(root); err == nil || !strings.Contains(err.Error(), "plan.json is in format version 3") {
		t.Fatalf("a plan of format 3: %v", err)
	}
}

// TestFindID finds phases by ID and by prefix, prefers the applied one of
// a phase applied again, and refuses a prefix that names two phases.
func TestFindID(t *testing.T) {
	j := &Journal{schema.Journal{Phases: []Phase{
		{ID: "abcd123", Number: 1, Reverted: true},
		{ID: "abce456", Number: 2},
		{ID: "abcd123", Number: 3},
	}}}
	for q, want := range map[string]int{"abcd123": 3, "abcd": 3, "abce4": 2, "abc": 0, "ffff": 0, "": 0} {
		p, err := j.FindID(q)
		got := 0
		if p != nil {
			got = p.Number
		}
		if err != nil || got != want {
			t.Errorf("FindID(%q) = phase %d, %v; want %d", q, got, err, want)
		}
	}
	j.Phases[1].ID = "abcd999"
	if _, err := j.FindID("abcd"); err == nil || !strings.Contains(err.Error(), "ambiguous") {
		t.Errorf("FindID of a prefix of two IDs = %v", err)
	}
}

// TestOldFilesGetIDs reads a journal and a plan of format 1, written
// before phases had IDs (and, in the plan, with a unit's sink and risks as
// text): each phase gets the ID of its units.
func TestOldFilesGetIDs(t *testing.T) {
	root := t.TempDir()
	write := func(name, text string) {
		if err := os.MkdirAll(filepath.Join(root, Dir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, Dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("journal.json", `{"phases": [{"number": 1, "strategy": "bottom-up", "units": ["m.B", "m.A"], "patch": "phases/01-bottom-up.patch", "files": [], "reverted": false}]}`)
	write("plan.json", `{"module": "m", "strategy": "bottom-up", "phases": [{"number": 1, "reason": "r", "units": [{"id": "m.A", "sink": "http.Get at a.go:3", "risks": ["exported API"]}, {"id": "m.B"}]}], "source": {}}`)
	j, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := LoadPlan(root)
	if err != nil {
		t.Fatal(err)
	}
	want := strategies.PhaseID([]string{"m.A", "m.B"})
	if j.Phases[0].ID != want || sp.Phases[0].ID != want {
		t.Errorf("journal phase %q, plan phase %q; want %q", j.Phases[0].ID, sp.Phases[0].ID, want)
	}
}
