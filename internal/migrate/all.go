package migrate

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/smartmigrate/smartmigrate/internal/journal"
	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/progress"
	"github.com/smartmigrate/smartmigrate/strategies"
)

// AllOptions say how many phases ApplyAll applies.
type AllOptions struct {
	// Through, when not "", stops after the phase of that ID (or ID
	// prefix, see journal.MatchID); it must be one of the plan's phases
	// left when the run starts.
	Through string
	// Each, when set, gets every phase once it is written, before the
	// next one starts. Once it returns, the result's Report.Model and
	// Verify.Module are dropped and its Report.Phase.Units become
	// strategies.Nodes, so that a long run holds one module at a time.
	Each func(*ApplyResult)
}

// AllError is a phase of ApplyAll that failed (verification, the write,
// an interrupt) after Applied phases were written; those stay applied.
type AllError struct {
	// Applied are the IDs of the phases written before.
	Applied []string
	Err     error
}

func (e *AllError) Error() string {
	if len(e.Applied) == 0 {
		return e.Err.Error()
	}
	return fmt.Sprintf("%v\nphases applied before it stay applied: %s", e.Err, strings.Join(e.Applied, ", "))
}

func (e *AllError) Unwrap() error { return e.Err }

// ApplyAll applies the phases one after another, each verified, written
// through the journal and, with w.Commit, committed on its own, until
// nothing is left (or a.Through). A phase verified in process leaves the
// module it checked, which the next phase is planned from without
// loading the module again. It stops at the first phase that fails,
// returning an *AllError that names the phases already applied; it
// returns why it stopped when it ran out of phases.
func ApplyAll(ctx context.Context, o ApplyOptions, w WriteOptions, a AllOptions) ([]*ApplyResult, string, error) {
	if o.Phase != "" || o.Finalize {
		return nil, "", optionErrorf("--all and --through go with neither --phase nor --finalize")
	}
	var done []*ApplyResult
	var applied []string
	o.through = a.Through
	var mu sync.Mutex
	total := 0 // phases applied plus those the last plan had left
	stop := w.Progress.Live(func() string {
		mu.Lock()
		defer mu.Unlock()
		if total == 0 {
			return "apply --all: planning"
		}
		return fmt.Sprintf("apply --all: %d of %d phases applied", len(applied), total)
	})
	defer stop()
	w.plansNext = true
	if o.loaded == nil && len(o.Patterns) == 0 {
		// Loaded here, so that the memory limit is set from what a load
		// of the module takes.
		mod, err := load.LoadWith(ctx, load.Options{Progress: o.Progress, Partial: true}, o.dir())
		if err != nil {
			return nil, "", err
		}
		o.loaded = mod
		defer limitMemory()()
	}
	for {
		start := time.Now()
		w.Progress.Printf("phase %d: planning…", len(done)+1)
		res, why, err := Apply(ctx, o, w)
		if err != nil {
			return done, "", &AllError{Applied: applied, Err: err}
		}
		if res == nil {
			return done, why, nil
		}
		res.Took = time.Since(start)
		mu.Lock()
		done, applied = append(done, res), append(applied, res.Journal.ID)
		total = len(done) - 1 + len(res.Report.Left)
		mu.Unlock()
		w.Progress.Printf("phase %d of %d applied in %s", len(done), total, progress.Round(res.Took))
		if a.Each != nil {
			a.Each(res)
		}
		if a.Through != "" && journal.MatchID(res.Report.Phase.ID, a.Through) {
			return done, fmt.Sprintf("stopped after phase %s (--through)", res.Report.Phase.ID), nil
		}
		if !w.Commit {
			w = ownWrites(w, res)
		}
		o.loaded = nil
		if res.Verify != nil && res.Report.whole {
			o.loaded = res.Verify.Module
		}
		release(res)
		// The module the phase started from is garbage now; collecting
		// it here sets the collector's next goal from one module, not
		// the two that were live while the phase was checked.
		runtime.GC()
	}
}

// release drops what res holds of the module as it was: its model, the
// module the check left (the next phase's now) and the phase's units,
// which reach every function, syntax tree and type of the model; they
// become Nodes holding their values. Without it, a run held every
// phase's module until the end.
func release(res *ApplyResult) {
	res.Report.Model = nil
	if res.Verify != nil {
		res.Verify.Module = nil
	}
	units := make([]strategies.Unit, len(res.Report.Phase.Units))
	for i, u := range res.Report.Phase.Units {
		n := &strategies.Node{ID: u.UnitID(), Funcs: u.FuncIDs(), Exported: u.IsExported(), Callees: u.CalleeIDs(), Score: u.StaticScore()}
		if r, ok := u.(strategies.Requirer); ok {
			n.Requires = r.RequiredIDs()
		}
		units[i] = n
	}
	res.Report.Phase.Units = units
}

// ownWrites is w allowing, for the git check of later phases, the files
// res wrote and did not commit.
func ownWrites(w WriteOptions, res *ApplyResult) WriteOptions {
	written := map[string]bool{}
	for p := range w.written {
		written[p] = true
	}
	for _, f := range res.Report.Rewrite.Files {
		written[f.Path] = true
	}
	w.written = written
	return w
}
