// Package e2e runs smartmigrate end to end on a real module: it fetches
// module@version with the go command into a git work tree of its own,
// plans it with every strategy, applies every bottom-up phase (verified
// with go build, go vet and apidiff, committed), runs the module's tests
// before and after, reverts every phase and checks that the tree is
// byte-identical to what it was.
//
// The harness calls the library (internal/migrate) rather than the
// command line, and reads results from its values, never from text.
package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/internal/verify"
	"github.com/smartmigrate/smartmigrate/rewrite"
	"github.com/smartmigrate/smartmigrate/strategies"
)

// Options say how to run a module.
type Options struct {
	// Verify is the --verify command of every apply ("go build ./...").
	Verify string
	// TestTimeout bounds each run of the module's tests (before and
	// after); 0 skips the tests.
	TestTimeout time.Duration
	// MaxPhases stops applying after this many phases (0: 200), a guard
	// against a plan that does not converge.
	MaxPhases int
	// Log, when set, gets a line per step.
	Log func(format string, args ...any)
	// Probe, when set, is the probe of the module's ctx forms to run once
	// every phase is applied (see Probe).
	Probe string
}

// Row is the result of one module.
type Row struct {
	Module string
	// LOC counts the lines of the module's non-test .go files.
	LOC int
	// Plans are the phase counts of each strategy's plan, by strategy.
	Plans map[string]int
	// Phases are the bottom-up phases applied; Units the units in them.
	Phases, Units int
	// Finalized is 1 when the finalize phase was applied after them.
	Finalized int
	// Rewritten are the sinks made context-aware; Left the sinks (and
	// dynamic calls) left as they are, with why.
	Rewritten int
	Left      []string
	// TODO counts the call sites that pass context.TODO() once every
	// phase is applied (status).
	TODO int
	// Remaining counts the blocking functions left once every phase is
	// applied (status): left out, each in LeftOut with the plan's reason.
	Remaining int
	LeftOut   []string
	// Incompatible counts phases refused by the API compatibility check
	// (apidiff); it must be 0.
	Incompatible int
	// TestsBefore and TestsAfter are the module's test packages that
	// passed and failed before and after the migration.
	TestsBefore, TestsAfter TestRun
	// Probes are the probe's lines: each probed ctx form, how long it
	// took to return once its context ended, and its error.
	Probes []string
	// Failures are what went wrong: a phase that did not verify, a test
	// package that passed before and fails after, a revert that failed, a
	// tree that differs after reverting.
	Failures []string
	// Skipped says why the module was not migrated: it does not build
	// here before any change (a cgo header missing, say), which is no
	// failure of the tool.
	Skipped string
	// Took is the time of the whole run.
	Took time.Duration
}

// TestRun is one run of go test ./...: the packages that passed and
// those that failed (build failures included).
type TestRun struct {
	Pass, Fail []string
	// Err is set when go test could not run or timed out.
	Err string
}

func (r TestRun) String() string {
	if r.Err != "" && len(r.Pass)+len(r.Fail) == 0 {
		return "error"
	}
	return fmt.Sprintf("%d/%d", len(r.Pass), len(r.Pass)+len(r.Fail))
}

func (o Options) logf(format string, args ...any) {
	if o.Log != nil {
		o.Log(format, args...)
	}
}

// Run migrates the module in dir, a clean git work tree (see Fetch), and
// undoes it. Failures of the tool are in the row; the error is for a
// harness that could not run at all.
func Run(ctx context.Context, dir string, o Options) (*Row, error) {
	start := time.Now()
	if o.MaxPhases == 0 {
		o.MaxPhases = 200
	}
	row := &Row{Plans: map[string]int{}}
	before, err := Snapshot(dir)
	if err != nil {
		return nil, err
	}
	if row.LOC, err = CountLOC(dir); err != nil {
		return nil, err
	}
	if _, err := goCmd(ctx, dir, "build", "./..."); err != nil {
		row.Skipped = "does not build before any change: " + err.Error()
		row.Took = time.Since(start)
		return row, nil
	}
	planAll(ctx, dir, row, o)
	if o.TestTimeout > 0 {
		row.TestsBefore = GoTest(ctx, dir, o.TestTimeout)
		o.logf("tests before: %s passed %s", row.TestsBefore, row.TestsBefore.Err)
	}
	done, err := applyAll(ctx, dir, row, o)
	if err != nil {
		return nil, err
	}
	checkMigrated(ctx, dir, row, done)
	testAfter(ctx, dir, row, o)
	if o.Probe != "" && row.Phases > 0 {
		row.Probes, err = Probe(ctx, dir, o.Probe)
		if err != nil {
			row.Failures = append(row.Failures, err.Error())
		}
		o.logf("probes: %s", strings.Join(row.Probes, "; "))
	}
	// Finalize (shims get //go:fix inline, callers move to the ctx forms)
	// is a phase like the others: verified, journaled, reverted below.
	if done && row.Phases > 0 {
		finalize(ctx, dir, row, o)
	}
	revertAll(dir, row)
	after, err := Snapshot(dir)
	if err != nil {
		return nil, err
	}
	if d := DiffSnapshots(before, after); len(d) > 0 {
		row.Failures = append(row.Failures, "tree differs after reverting every phase: "+strings.Join(d, ", "))
	}
	row.Took = time.Since(start)
	return row, nil
}

// planAll records in row the phase count of each strategy's plan of the
// module in dir.
func planAll(ctx context.Context, dir string, row *Row, o Options) {
	for _, s := range strategies.Names() {
		rep, err := migrate.Plan(ctx, migrate.PlanOptions{Dir: dir, Strategy: s})
		if err != nil {
			row.Failures = append(row.Failures, fmt.Sprintf("plan --strategy=%s: %v", s, err))
			continue
		}
		row.Module = rep.Module
		row.Plans[s] = len(rep.Plan.Phases)
		o.logf("plan %s: %d phases", s, len(rep.Plan.Phases))
	}
}

// applyAll applies, verified and committed, every bottom-up phase (at most
// o.MaxPhases) and records them in row. It reports whether apply found
// nothing left to migrate; the error is ctx's when it is done.
func applyAll(ctx context.Context, dir string, row *Row, o Options) (done bool, err error) {
	for row.Phases < o.MaxPhases {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		t0 := time.Now()
		res, why, err := migrate.Apply(ctx,
			migrate.ApplyOptions{PlanOptions: migrate.PlanOptions{Dir: dir, Strategy: strategies.BottomUpName}},
			migrate.WriteOptions{Verify: o.Verify, Commit: true})
		if err != nil {
			applyFailed(row, fmt.Sprintf("apply of phase %d", row.Phases+1), err)
			break
		}
		if res == nil {
			o.logf("apply: %s", why)
			done = true
			break
		}
		recordPhase(row, res, time.Since(t0), o)
		for _, f := range res.Journal.Files {
			if f.Before != "" && generated(filepath.Join(dir, f.Path)) {
				row.Failures = append(row.Failures, fmt.Sprintf("phase %s changed the generated file %s", res.Journal.ID, f.Path))
			}
		}
	}
	if row.Phases == o.MaxPhases {
		row.Failures = append(row.Failures, fmt.Sprintf("still phases to apply after %d", o.MaxPhases))
	}
	return done, nil
}

// generated reports whether the Go file at path is generated (its
// "Code generated ... DO NOT EDIT." comment).
func generated(path string) bool {
	if !strings.HasSuffix(path, ".go") {
		return false
	}
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.PackageClauseOnly|parser.ParseComments)
	return err == nil && ast.IsGenerated(f)
}

// applyFailed records in row an apply (what) that failed with err,
// counting a refusal by the API compatibility check.
func applyFailed(row *Row, what string, err error) {
	var f *verify.Failure
	if errors.As(err, &f) && f.Check == "API compatibility" {
		row.Incompatible++
	}
	row.Failures = append(row.Failures, fmt.Sprintf("%s: %v", what, err))
}

// recordPhase counts in row the applied phase res, which took took.
func recordPhase(row *Row, res *migrate.ApplyResult, took time.Duration, o Options) {
	row.Phases++
	row.Units += len(res.Journal.Units)
	r := res.Report.Rewrite
	rewritten, left := r.Of(rewrite.CodeRewritten), r.Of(rewrite.CodeLeft)
	row.Rewritten += len(rewritten)
	for _, it := range left {
		row.Left = append(row.Left, it.String())
	}
	o.logf("phase %s: %d units, %d files, %d sinks rewritten, %d left, %d TODO, %s",
		res.Journal.ID, len(res.Journal.Units), len(res.Journal.Files), len(rewritten), len(left), len(r.Of(rewrite.CodeTODO)), took.Round(100*time.Millisecond))
}

// checkMigrated records in row what status and the bottom-up plan say once
// the phases are applied; done says that apply found nothing left, so the
// plan must have no phase.
func checkMigrated(ctx context.Context, dir string, row *Row, done bool) {
	if st, err := migrate.Status(ctx, migrate.StatusOptions{Dir: dir}); err != nil {
		row.Failures = append(row.Failures, fmt.Sprintf("status: %v", err))
	} else {
		row.TODO = st.Total.TODO
		row.Remaining = st.Total.Blocking
	}
	rep, err := migrate.Plan(ctx, migrate.PlanOptions{Dir: dir, Strategy: strategies.BottomUpName})
	if err != nil {
		row.Failures = append(row.Failures, fmt.Sprintf("plan after the phases: %v", err))
		return
	}
	for _, f := range rep.Model.LeftOut() {
		row.LeftOut = append(row.LeftOut, fmt.Sprintf("%s: %s: %s", f.At, f.ID, f.Skip))
	}
	if n := len(rep.Plan.Phases); n > 0 && done {
		row.Failures = append(row.Failures, fmt.Sprintf("the plan still has %d phases once every phase is applied", n))
	}
}

// testAfter runs the module's tests once the phases are applied and
// records the packages that passed before and fail now; without tests or
// phases, the tests after are those before.
func testAfter(ctx context.Context, dir string, row *Row, o Options) {
	if o.TestTimeout <= 0 || row.Phases == 0 {
		row.TestsAfter = row.TestsBefore
		return
	}
	row.TestsAfter = GoTest(ctx, dir, o.TestTimeout)
	o.logf("tests after: %s passed %s", row.TestsAfter, row.TestsAfter.Err)
	row.Failures = append(row.Failures, Regressions(row.TestsBefore, row.TestsAfter)...)
}

// finalize applies the finalize phase, verified and committed, and
// records it in row.
func finalize(ctx context.Context, dir string, row *Row, o Options) {
	res, why, err := migrate.Apply(ctx,
		migrate.ApplyOptions{PlanOptions: migrate.PlanOptions{Dir: dir}, Finalize: true},
		migrate.WriteOptions{Verify: o.Verify, Commit: true})
	switch {
	case err != nil:
		applyFailed(row, "finalize", err)
	case res == nil:
		o.logf("finalize: %s", why)
	default:
		row.Finalized = 1
		o.logf("finalize: %d units, %d files", len(res.Journal.Units), len(res.Journal.Files))
	}
}

// revertAll reverts every phase row applied, the finalize phase included,
// newest first, and records the first revert that fails.
func revertAll(dir string, row *Row) {
	for n := row.Phases + row.Finalized; n >= 1; n-- {
		if _, err := migrate.Revert(migrate.RevertOptions{Dir: dir}); err != nil {
			row.Failures = append(row.Failures, fmt.Sprintf("revert (phase %d): %v", n, err))
			break
		}
	}
}

// Regressions are the test packages that passed before and do not after.
func Regressions(before, after TestRun) []string {
	failed := map[string]bool{}
	for _, p := range after.Fail {
		failed[p] = true
	}
	passed := map[string]bool{}
	for _, p := range after.Pass {
		passed[p] = true
	}
	var out []string
	for _, p := range before.Pass {
		switch {
		case failed[p]:
			out = append(out, "tests of "+p+" passed before the migration and fail after")
		case !passed[p] && after.Err != "":
			out = append(out, "tests of "+p+" passed before the migration and did not finish after: "+after.Err)
		}
	}
	return out
}

// GoTest runs go test -json ./... in dir, offline (GOPROXY=off, GOFLAGS
// -mod=mod kept out), within timeout, and returns the packages that passed
// and failed.
func GoTest(ctx context.Context, dir string, timeout time.Duration) TestRun {
	ctx, cancel := context.WithTimeout(ctx, timeout+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "test", "-count=1", "-json", "-timeout", timeout.String(), "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOWORK=off")
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	run := parseTestJSON(stdout.Bytes())
	if err != nil && ctx.Err() != nil {
		run.Err = "timed out"
	} else if err != nil && len(run.Pass)+len(run.Fail) == 0 {
		run.Err = strings.TrimSpace(lastLines(stderr.String(), 5))
	}
	return run
}

// parseTestJSON reads go test -json events: the package-level pass and
// fail actions (a package that does not build fails).
func parseTestJSON(data []byte) TestRun {
	var run TestRun
	seen := map[string]bool{}
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var ev struct {
			Action  string
			Package string
			Test    string
		}
		if err := dec.Decode(&ev); err != nil {
			break
		}
		if ev.Test != "" || ev.Package == "" || seen[ev.Package] {
			continue
		}
		switch ev.Action {
		case "pass":
			run.Pass = append(run.Pass, ev.Package)
			seen[ev.Package] = true
		case "fail":
			run.Fail = append(run.Fail, ev.Package)
			seen[ev.Package] = true
		}
	}
	sort.Strings(run.Pass)
	sort.Strings(run.Fail)
	return run
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Snapshot returns the sha256 of every file below dir, .git left out, by
// slash-separated relative path. .smartmigrate is included: a migrated
// and fully reverted module keeps its journal there, so callers compare
// the rest (see DiffSnapshots).
func Snapshot(dir string) (map[string]string, error) {
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = hex.EncodeToString(h.Sum(nil))
		return nil
	})
	return out, err
}

// DiffSnapshots names the files that differ between two snapshots
// (changed, added or removed), leaving out the journal's own folder.
func DiffSnapshots(a, b map[string]string) []string {
	var out []string
	for p, h := range a {
		if strings.HasPrefix(p, ".smartmigrate/") {
			continue
		}
		if h2, ok := b[p]; !ok {
			out = append(out, p+" (removed)")
		} else if h2 != h {
			out = append(out, p+" (changed)")
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok && !strings.HasPrefix(p, ".smartmigrate/") {
			out = append(out, p+" (added)")
		}
	}
	sort.Strings(out)
	return out
}

// CountLOC counts the lines of the non-test .go files below dir (.git,
// vendor and testdata left out).
func CountLOC(dir string) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != dir && load.LeftOut(d.Name()) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), ".go") || strings.HasSuffix(d.Name(), "_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n += bytes.Count(data, []byte("\n"))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			n++
		}
		return nil
	})
	return n, err
}

// Table writes one row per module.
func Table(w io.Writer, rows []*Row) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "module\tLOC\tplans bu/td/cp\tphases\tunits\tsinks ctx-aware\tsinks left\tTODO sites\tblocking left\tapidiff incompatible\ttests before\ttests after\tfailures\ttime\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%d/%d/%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%d\t%s\t\n",
			r.Module, r.LOC, r.Plans["bottom-up"], r.Plans["top-down"], r.Plans["critical-path"],
			r.Phases, r.Units, r.Rewritten, len(r.Left), r.TODO, r.Remaining, r.Incompatible,
			r.TestsBefore, r.TestsAfter, len(r.Failures), r.Took.Round(time.Second))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range rows {
		if r.Skipped != "" {
			fmt.Fprintf(w, "%s: SKIPPED: %s\n", r.Module, strings.ReplaceAll(strings.TrimSpace(r.Skipped), "\n", "\n    "))
		}
		for _, f := range r.Failures {
			fmt.Fprintf(w, "%s: FAILURE: %s\n", r.Module, f)
		}
		for _, l := range r.Left {
			fmt.Fprintf(w, "%s: sink left: %s\n", r.Module, l)
		}
		for _, l := range r.LeftOut {
			fmt.Fprintf(w, "%s: blocking function left out: %s\n", r.Module, l)
		}
	}
	return nil
}

// DefaultModules are the modules the harness runs when
// SMARTMIGRATE_E2E is not set, for CI: two small clients, and two whose
// own tests caught what a type-check does not (miekg/dns's TSIG tests
// fail when Transfer's ReadMsg loses its override to a promoted ctx form;
// gorilla/websocket has handlers whose request is shadowed and closures
// kept through variables).
var DefaultModules = []string{
	// Pinned versions: CI must not change under a new release.
	"github.com/bradfitz/gomemcache@v0.0.0-20260422231931-4d751bb6e37c",
	"github.com/streadway/amqp@v1.1.0",
	"github.com/miekg/dns@v1.1.73",
	"github.com/gorilla/websocket@v1.5.3",
}

// Modules parses a SMARTMIGRATE_E2E value, "mod@ver,mod@ver" (a module
// without a version is @latest); "" is DefaultModules.
func Modules(env string) ([]string, error) {
	if strings.TrimSpace(env) == "" {
		return DefaultModules, nil
	}
	var out []string
	for _, m := range strings.Split(env, ",") {
		m = strings.TrimSpace(m)
		if m == "" {
			continue
		}
		if !strings.Contains(m, "@") {
			m += "@latest"
		}
		if strings.HasPrefix(m, "@") {
			return nil, fmt.Errorf("SMARTMIGRATE_E2E: %q has no module path", m)
		}
		out = append(out, m)
	}
	return out, nil
}
