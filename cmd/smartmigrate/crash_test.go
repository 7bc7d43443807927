//go:build crash

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The crash harness: go test -tags crash -run TestCrashHarness ./cmd/smartmigrate -v
// (SMARTMIGRATE_CRASH_RUNS sets the number of kills, 120 by default).
//
// It SIGKILLs real smartmigrate processes, applies (with --commit) and
// reverts, at random instants and aimed at the write (as soon as the
// staging folder appears, plus 0-3 ms), then runs status (which recovers)
// and counts: trees that are neither the whole before-state nor the whole
// after-state, journals that disagree with the tree, recoveries that
// fail, stray files (temporary files, lock, staging, pending.json),
// verification copies left in the temporary folder, and phases applied
// with --commit that are still uncommitted once a follow-up apply --commit
// has run. All must be 0.

const crashPkgFiles = 8

// crashFixture writes a module whose first phase changes crashPkgFiles+1
// files: an internal function given ctx in place, and its callers.
func crashFixture(t *testing.T, dir string) {
	t.Helper()
	files := map[string]string{
		"go.mod":          "module example.com/crash\n\ngo 1.24\n",
		"internal/b/b.go": "package b\n\nimport \"os/exec\"\n\n// B runs true.\nfunc B() error { return exec.Command(\"true\").Run() }\n",
	}
	for i := range crashPkgFiles {
		files[fmt.Sprintf("a/a%d.go", i)] = fmt.Sprintf("package a\n\nimport \"example.com/crash/internal/b\"\n\n// A%d calls B.\nfunc A%d() error { return b.B() }\n", i, i)
	}
	for name, data := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// crashRun is what the harness counts.
type crashRun struct {
	runs, applies, reverts, aimed      int
	inWrite, finished                  int
	before, after                      int
	mixed, journalWrong, recoverFailed int
	strays, staleCopies, uncommitted   int
	uncommittedSeen                    int
	problems                           []string
}

func TestCrashHarness(t *testing.T) {
	runs := 120
	if s := os.Getenv("SMARTMIGRATE_CRASH_RUNS"); s != "" {
		fmt.Sscan(s, &runs)
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "smartmigrate")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	env := append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
	base := filepath.Join(tmp, "base")
	crashFixture(t, base)
	mustRun(t, base, env, "git", "init", "-q")
	mustRun(t, base, env, "git", "add", "-A")
	mustRun(t, base, env, "git", "commit", "-qm", "init")
	beforeTree := sourceTree(t, base)

	// The reference: phase 1 applied and committed, and how long it takes.
	applied := filepath.Join(tmp, "applied")
	mustRun(t, tmp, env, "cp", "-a", base, applied)
	start := time.Now()
	mustRun(t, applied, env, bin, "apply", "--commit")
	applyTook := time.Since(start)
	afterTree := sourceTree(t, applied)
	probe := filepath.Join(tmp, "probe")
	mustRun(t, tmp, env, "cp", "-a", applied, probe)
	start = time.Now()
	mustRun(t, probe, env, bin, "revert")
	revertTook := time.Since(start)
	t.Logf("apply --commit takes %s, revert %s; phase 1 changes %d files", applyTook.Round(time.Millisecond), revertTook.Round(time.Millisecond), crashPkgFiles+1)

	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 1))
	t.Logf("seed %d", seed)
	var r crashRun
	for i := range runs {
		revert := i%2 == 1
		aimed := i%4 >= 2
		src, took := base, applyTook
		if revert {
			src, took = applied, revertTook
		}
		work := filepath.Join(tmp, fmt.Sprintf("run%03d", i))
		mustRun(t, tmp, env, "cp", "-a", src, work)
		tmpdir := filepath.Join(tmp, fmt.Sprintf("tmp%03d", i))
		if err := os.Mkdir(tmpdir, 0o755); err != nil {
			t.Fatal(err)
		}
		runEnv := append(append([]string{}, env...), "TMPDIR="+tmpdir)
		args := []string{"apply", "--commit"}
		if revert {
			args = []string{"revert"}
		}
		r.runs++
		if revert {
			r.reverts++
		} else {
			r.applies++
		}
		if aimed {
			r.aimed++
		}
		killOne(t, &r, bin, work, runEnv, args, aimed, time.Duration(rng.Int64N(int64(took))), rng)
		checkAfterKill(t, &r, bin, work, tmpdir, runEnv, beforeTree, afterTree, i)
		os.RemoveAll(work)
		os.RemoveAll(tmpdir)
	}
	t.Logf("runs %d (applies %d, reverts %d; aimed at the write %d): write interrupted (staging or pending.json left) %d, finished before the kill %d",
		r.runs, r.applies, r.reverts, r.aimed, r.inWrite, r.finished)
	t.Logf("after recovery: before-state %d, after-state %d; mixed trees %d, journal disagrees %d, recovery failed %d, stray files %d, verification copies left %d, uncommitted reported by status %d, uncommitted after a follow-up apply --commit %d",
		r.before, r.after, r.mixed, r.journalWrong, r.recoverFailed, r.strays, r.staleCopies, r.uncommittedSeen, r.uncommitted)
	for _, p := range r.problems {
		t.Error(p)
	}
}

// killOne starts smartmigrate args in work and SIGKILLs it: after delay,
// or, aimed, as soon as its staging folder appears (plus 0-3 ms).
func killOne(t *testing.T, r *crashRun, bin, work string, env, args []string, aimed bool, delay time.Duration, rng *rand.Rand) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-C", work}, args...)...)
	cmd.Env = env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	staging := filepath.Join(work, ".smartmigrate", "staging")
	if !aimed {
		select {
		case <-done:
			r.finished++
		case <-time.After(delay):
			kill(r, cmd, work, done)
		}
		return
	}
	for {
		select {
		case <-done:
			r.finished++
			return
		default:
		}
		if _, err := os.Lstat(staging); err == nil {
			time.Sleep(time.Duration(rng.Int64N(int64(3 * time.Millisecond))))
			kill(r, cmd, work, done)
			return
		}
	}
}

func kill(r *crashRun, cmd *exec.Cmd, work string, done chan error) {
	cmd.Process.Signal(syscall.SIGKILL)
	<-done
	for _, name := range []string{"pending.json", "staging"} {
		if _, err := os.Lstat(filepath.Join(work, ".smartmigrate", name)); err == nil {
			r.inWrite++
			break
		}
	}
}

// checkAfterKill runs status in work (it recovers) and counts what is
// wrong.
func checkAfterKill(t *testing.T, r *crashRun, bin, work, tmpdir string, env []string, beforeTree, afterTree map[string]string, i int) {
	t.Helper()
	// A git commit the kill orphaned finishes on its own.
	for range 200 {
		if _, err := os.Stat(filepath.Join(work, ".git", "index.lock")); errors.Is(err, fs.ErrNotExist) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd := exec.Command(bin, "-C", work, "status", "--json")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		r.recoverFailed++
		r.problems = append(r.problems, fmt.Sprintf("run %d: status after the kill: %v", i, err))
		return
	}
	var st struct {
		Phases      []struct{ Reverted bool } `json:"phases"`
		Uncommitted []int                     `json:"uncommitted"`
	}
	if err := json.Unmarshal(out, &st); err != nil {
		r.problems = append(r.problems, fmt.Sprintf("run %d: status --json: %v", i, err))
	}
	appliedPhases := 0
	for _, p := range st.Phases {
		if !p.Reverted {
			appliedPhases++
		}
	}
	tree := sourceTree(t, work)
	switch {
	case sameTree(tree, beforeTree):
		r.before++
		if appliedPhases != 0 {
			r.journalWrong++
			r.problems = append(r.problems, fmt.Sprintf("run %d: the tree is as before but the journal has %d applied phases", i, appliedPhases))
		}
	case sameTree(tree, afterTree):
		r.after++
		if appliedPhases != 1 {
			r.journalWrong++
			r.problems = append(r.problems, fmt.Sprintf("run %d: the tree is as after but the journal has %d applied phases", i, appliedPhases))
		}
	default:
		r.mixed++
		r.problems = append(r.problems, fmt.Sprintf("run %d: mixed tree", i))
	}
	for _, s := range strayFiles(t, work, beforeTree, afterTree) {
		r.strays++
		r.problems = append(r.problems, fmt.Sprintf("run %d: stray %s", i, s))
	}
	if copies, _ := filepath.Glob(filepath.Join(tmpdir, "smartmigrate-verify-*")); len(copies) > 0 {
		r.staleCopies += len(copies)
		r.problems = append(r.problems, fmt.Sprintf("run %d: verification copies left: %v", i, copies))
	}
	if len(st.Uncommitted) == 0 {
		return
	}
	r.uncommittedSeen++
	follow := exec.Command(bin, "-C", work, "apply", "--commit")
	follow.Env = env
	if out, err := follow.CombinedOutput(); err != nil {
		r.uncommitted++
		r.problems = append(r.problems, fmt.Sprintf("run %d: follow-up apply --commit: %v\n%s", i, err, out))
		return
	}
	if dirty := gitOut(t, work, env, "status", "--porcelain"); dirty != "" {
		r.uncommitted++
		r.problems = append(r.problems, fmt.Sprintf("run %d: uncommitted after the follow-up apply --commit:\n%s", i, dirty))
	}
}

// sourceTree reads every file of dir outside .git and .smartmigrate.
func sourceTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == ".git" || rel == ".smartmigrate" {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") && strings.Contains(d.Name(), ".tmp") {
			return nil // counted as strays
		}
		data, err := os.ReadFile(path)
		out[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTree(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// strayFiles lists the files of dir (outside .git) that are neither
// source files of the before or after tree nor the journal's own.
func strayFiles(t *testing.T, dir string, trees ...map[string]string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if rel == ".smartmigrate/journal.json" || strings.HasPrefix(rel, ".smartmigrate/phases/") && strings.HasSuffix(rel, ".patch") {
			return nil
		}
		for _, tr := range trees {
			if _, ok := tr[rel]; ok {
				return nil
			}
		}
		out = append(out, rel)
		return nil
	})
	return out
}

func mustRun(t *testing.T, dir string, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func gitOut(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

// TestConcurrentApplies starts two applies together, again and again: one
// writes, the other refuses at once naming the holder, and the tree is
// the whole after-state of one phase.
func TestConcurrentApplies(t *testing.T) {
	tries := 14
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "smartmigrate")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	base := filepath.Join(tmp, "base")
	crashFixture(t, base)
	refused, wrote := 0, 0
	for i := range tries {
		work := filepath.Join(tmp, fmt.Sprintf("try%02d", i))
		mustRun(t, tmp, os.Environ(), "cp", "-a", base, work)
		var cmds [2]*exec.Cmd
		var outs [2]strings.Builder
		for k := range cmds {
			cmds[k] = exec.Command(bin, "-C", work, "apply")
			cmds[k].Stdout, cmds[k].Stderr = &outs[k], &outs[k]
			if err := cmds[k].Start(); err != nil {
				t.Fatal(err)
			}
		}
		for k := range cmds {
			err := cmds[k].Wait()
			out := outs[k].String()
			switch {
			case err == nil && strings.Contains(out, "applied as phase"):
				wrote++
			case err != nil && strings.Contains(out, "is writing this module (it holds"):
				refused++
			default:
				t.Errorf("try %d: process %d: %v\n%s", i, k, err, out)
			}
		}
		if data, err := os.ReadFile(filepath.Join(work, ".smartmigrate", "journal.json")); err != nil || strings.Count(string(data), `"number"`) < 1 {
			t.Errorf("try %d: journal: %v\n%s", i, err, data)
		}
		for _, s := range strayFiles(t, work, sourceTree(t, work)) {
			t.Errorf("try %d: stray %s", i, s)
		}
	}
	t.Logf("%d tries of two applies at once: %d wrote, %d refused naming the holder", tries, wrote, refused)
}
