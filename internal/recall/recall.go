//go:build recall

package recall

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/e2e"
	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/strategies"
)

// Library is a public library whose maintainers added a context by hand:
// a version before and one after.
type Library struct {
	// Name picks the library in SMARTMIGRATE_RECALL.
	Name string
	// Before and After are "module@version"; the module paths may differ
	// (a new major version).
	Before, After string
	// Fixes are go command arguments run in the copy of Before, after go
	// mod init when it has no go.mod, so that it builds on its own.
	Fixes [][]string
}

// Libraries are the libraries the harness knows, in the order it runs
// them.
var Libraries = []Library{
	{Name: "redigo", Before: "github.com/gomodule/redigo@v1.8.5", After: "github.com/gomodule/redigo@v1.8.6"},
	{
		Name: "vault", Before: "github.com/hashicorp/vault/api@v1.4.1", After: "github.com/hashicorp/vault/api@v1.5.0",
		// Its go.mod replaces the sdk by ../sdk, which the module zip
		// does not hold.
		Fixes: [][]string{{"mod", "edit", "-dropreplace", "github.com/hashicorp/vault/sdk"}},
	},
	{Name: "amqp091", Before: "github.com/rabbitmq/amqp091-go@v1.3.4", After: "github.com/rabbitmq/amqp091-go@v1.4.0"},
	// The API client whose maintainers gave every service method a ctx,
	// in place, in v4.
	{Name: "go-github", Before: "github.com/google/go-github@v3.0.0+incompatible", After: "github.com/google/go-github@v4.0.0+incompatible"},
	{Name: "go-redis", Before: "github.com/go-redis/redis@v6.15.9+incompatible", After: "github.com/go-redis/redis/v8@v8.0.0"},
}

// Select returns the libraries named in list ("redigo,vault"), all of
// them when list is empty.
func Select(list string) ([]Library, error) {
	if strings.TrimSpace(list) == "" {
		return Libraries, nil
	}
	var out []Library
	for _, name := range strings.Split(list, ",") {
		lib, ok := byName(strings.TrimSpace(name))
		if !ok {
			return nil, fmt.Errorf("SMARTMIGRATE_RECALL: no library %q; the harness knows %s", name, names())
		}
		out = append(out, lib)
	}
	return out, nil
}

func byName(name string) (Library, bool) {
	for _, lib := range Libraries {
		if lib.Name == name {
			return lib, true
		}
	}
	return Library{}, false
}

func names() string {
	var ns []string
	for _, lib := range Libraries {
		ns = append(ns, lib.Name)
	}
	return strings.Join(ns, ", ")
}

// Phase is one applied phase.
type Phase struct {
	Units int
	Took  time.Duration
}

// Timings are how long each step of a run took.
type Timings struct {
	// Fetch downloads and copies both versions; Model loads and analyses
	// the old one; Migrate applies every phase.
	Fetch, Model, Migrate time.Duration
}

// Miss is a function the maintainers gave a ctx and the tool did not.
type Miss struct {
	Key Key
	// How is how the maintainers gave it a ctx.
	How string
	// Cause is one of the Cause constants (CauseLeftOut with its label);
	// Detail says more (the call, the skip reason).
	Cause, Detail string
}

// Extra is a function the tool gave a ctx and the maintainers did not.
type Extra struct {
	Key Key
	// How is how the tool gave it a ctx.
	How string
	// Wait is true when, in the tool's model of the old version, it
	// blocks and its ctx reaches a wait; Detail names the operation.
	Wait   bool
	Detail string
	// Gone is true when the new version no longer declares it.
	Gone bool
}

// Result is the comparison for one library.
type Result struct {
	Library Library
	// Lines counts the old version's non-test lines (as compared:
	// examples, testdata and main packages left out).
	Lines int
	// Phases are the phases applied; Stopped, when not "", is the error
	// that stopped the migration before nothing was left (a phase refused,
	// a crash), verbatim.
	Phases  []Phase
	Stopped string
	Timings Timings
	// Maintainers are the concrete functions and methods that gained a
	// ctx in the new version; Iface the methods of exported interfaces
	// that did, and IfaceCovered how many of those the tool gave a ctx
	// through an implementation in the same package.
	Maintainers  map[Key]Gain
	Iface        map[Key]Gain
	IfaceCovered int
	// Tool are the functions and methods the tool gave a ctx; NoWait
	// those of them with no wait behind (matched or not).
	Tool    map[Key]Gain
	NoWait  []Key
	Matched int
	Misses  []Miss
	Extras  []Extra
}

// Recall is the share of the maintainers' concrete functions and methods
// the tool gave a ctx, in percent.
func (r *Result) Recall() float64 {
	if len(r.Maintainers) == 0 {
		return 0
	}
	return 100 * float64(r.Matched) / float64(len(r.Maintainers))
}

// ExtrasWithoutWait counts the extras with no wait behind them.
func (r *Result) ExtrasWithoutWait() int {
	n := 0
	for _, e := range r.Extras {
		if !e.Wait {
			n++
		}
	}
	return n
}

// GoalMet reports whether the run reached the goal: every phase applied,
// recall of at least 80%, no ctx form without a wait behind it.
func (r *Result) GoalMet() bool {
	return r.Stopped == "" && r.Recall() >= 80 && len(r.NoWait) == 0
}

// maxPhases bounds the phases of one migration, against a plan that never
// empties.
const maxPhases = 200

// Run compares, for lib, what the tool gives a ctx with what the
// maintainers did. work is an empty folder for the copies; logf gets
// progress. The error is the harness's (a download, a load); a phase the
// tool refuses or a crash in it stops the migration and is in
// Result.Stopped, and the comparison covers the phases applied.
func Run(ctx context.Context, lib Library, work string, logf func(string, ...any)) (*Result, error) {
	r := &Result{Library: lib}
	before, scratch := filepath.Join(work, "before"), filepath.Join(work, "scratch")
	if err := os.Mkdir(scratch, 0o755); err != nil {
		return nil, fmt.Errorf("recall %s: %w", lib.Name, err)
	}
	t0 := time.Now()
	if err := Copy(ctx, lib.Before, before, lib.Fixes); err != nil {
		return nil, fmt.Errorf("recall %s: fetch the old version: %w", lib.Name, err)
	}
	after, err := e2e.Download(ctx, lib.After, scratch)
	if err != nil {
		return nil, fmt.Errorf("recall %s: fetch the new version: %w", lib.Name, err)
	}
	oldAPI, newAPI, err := scanBoth(before, after.Dir)
	if err != nil {
		return nil, fmt.Errorf("recall %s: %w", lib.Name, err)
	}
	r.Lines, r.Timings.Fetch = oldAPI.Lines, time.Since(t0)
	logf("%s: fetched %s (%d lines) and %s in %s", lib.Name, lib.Before, oldAPI.Lines, lib.After, round(r.Timings.Fetch))

	t0 = time.Now()
	model, err := analyze(ctx, before)
	if err != nil {
		return nil, fmt.Errorf("recall %s: the model of the old version: %w", lib.Name, err)
	}
	r.Timings.Model = time.Since(t0)
	logf("%s: loaded and analysed the old version in %s", lib.Name, round(r.Timings.Model))

	t0 = time.Now()
	r.Phases, r.Stopped = migrateAll(ctx, before, lib.Name, logf)
	r.Timings.Migrate = time.Since(t0)
	migrated, err := ScanAPI(before)
	if err != nil {
		return nil, fmt.Errorf("recall %s: the migrated tree: %w", lib.Name, err)
	}
	compare(r, oldAPI, newAPI, migrated, model)
	return r, nil
}

// scanBoth scans the API of the two versions.
func scanBoth(before, after string) (oldAPI, newAPI *API, err error) {
	if oldAPI, err = ScanAPI(before); err != nil {
		return nil, nil, err
	}
	if newAPI, err = ScanAPI(after); err != nil {
		return nil, nil, err
	}
	return oldAPI, newAPI, nil
}

// analyze loads the module in dir and returns the tool's model of it.
func analyze(ctx context.Context, dir string) (*Model, error) {
	mod, err := load.Load(ctx, dir)
	if err != nil {
		return nil, err
	}
	m, err := analysis.Analyze(mod)
	if err != nil {
		return nil, fmt.Errorf("analyse %s: %w", mod.Path, err)
	}
	return NewModel(m), nil
}

// migrateAll applies bottom-up phases to the module in dir, each verified
// as apply verifies it, until nothing is left. It returns the phases
// applied and, when one failed (or the tool panicked), the error.
func migrateAll(ctx context.Context, dir, name string, logf func(string, ...any)) ([]Phase, string) {
	var phases []Phase
	for len(phases) < maxPhases {
		t0 := time.Now()
		res, why, err := applyOne(ctx, dir)
		if err != nil {
			logf("%s: phase %d failed after %s: %v", name, len(phases)+1, round(time.Since(t0)), err)
			return phases, fmt.Sprintf("phase %d: %v", len(phases)+1, err)
		}
		if res == nil {
			logf("%s: %d phases applied; %s", name, len(phases), why)
			return phases, ""
		}
		ph := Phase{Units: len(res.Journal.Units), Took: time.Since(t0)}
		phases = append(phases, ph)
		logf("%s: phase %s: %d units in %s", name, res.Journal.ID, ph.Units, round(ph.Took))
	}
	return phases, fmt.Sprintf("still phases to apply after %d", maxPhases)
}

// applyOne applies the next bottom-up phase; a panic in the tool is an
// error with its stack.
func applyOne(ctx context.Context, dir string) (res *migrate.ApplyResult, why string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return migrate.Apply(ctx,
		migrate.ApplyOptions{PlanOptions: migrate.PlanOptions{Dir: dir, Strategy: strategies.BottomUpName}},
		migrate.WriteOptions{AllowDirty: true})
}

// compare fills r from the three APIs (old, new, the old one migrated)
// and the tool's model of the old version.
func compare(r *Result, oldAPI, newAPI, migrated *API, model *Model) {
	r.Maintainers, r.Iface = splitIface(Gained(oldAPI, newAPI))
	r.Tool, _ = splitIface(Gained(oldAPI, migrated))
	waits := map[Key]string{}
	for _, k := range sortedKeys(r.Tool) {
		wait, detail := model.Wait(k)
		if !wait {
			r.NoWait = append(r.NoWait, k)
		}
		waits[k] = detail
	}
	for _, k := range sortedKeys(r.Maintainers) {
		if _, ok := r.Tool[k]; ok {
			r.Matched++
			continue
		}
		cause, detail := model.Cause(k)
		r.Misses = append(r.Misses, Miss{Key: k, How: r.Maintainers[k].How, Cause: cause, Detail: detail})
	}
	for _, k := range sortedKeys(r.Tool) {
		if _, ok := r.Maintainers[k]; ok {
			continue
		}
		_, kept := newAPI.Decls[k]
		wait := !slices.Contains(r.NoWait, k)
		r.Extras = append(r.Extras, Extra{Key: k, How: r.Tool[k].How, Wait: wait, Detail: waits[k], Gone: !kept})
	}
	for k := range r.Iface {
		if model.IfaceCovered(k, r.Tool) {
			r.IfaceCovered++
		}
	}
}

// splitIface splits gains into those of functions and concrete methods
// and those of interface methods.
func splitIface(gains map[Key]Gain) (concrete, iface map[Key]Gain) {
	concrete, iface = map[Key]Gain{}, map[Key]Gain{}
	for k, g := range gains {
		if g.Iface {
			iface[k] = g
		} else {
			concrete[k] = g
		}
	}
	return concrete, iface
}

// round rounds d for people.
func round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}
