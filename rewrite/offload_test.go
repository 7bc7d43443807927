package rewrite_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/rewrite"
	"github.com/smartmigrate/smartmigrate/strategies"
)

// offloadCancelTest runs in the offload case after phase 1: ReportContext,
// offloaded, returns within 100 ms of cancellation with context.Canceled
// while its sync body still runs (the request is still being served).
const offloadCancelTest = `package offload

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestOffloadCancel(t *testing.T) {
	release := make(chan struct{})
	requests := make(chan *http.Request, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests <- r
		select {
		case <-release:
		case <-r.Context().Done():
		}
		w.Write([]byte("late"))
	}))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := ReportContext(ctx, srv.URL)
		errc <- err
	}()
	r := <-requests
	cancel()
	at := time.Now()
	select {
	case err := <-errc:
		if d := time.Since(at); d > 100*time.Millisecond {
			t.Errorf("ReportContext returned %v after cancellation, want 100ms at most", d)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("ReportContext: %v, want context.Canceled", err)
		}
	case <-time.After(time.Second):
		t.Fatal("ReportContext did not return within 1s of cancellation")
	}
	time.Sleep(50 * time.Millisecond)
	if WANT_ABORTED {
		if r.Context().Err() == nil {
			t.Error("the request still runs: the ctx form does not pass ctx to the sink")
		}
	} else if r.Context().Err() != nil {
		t.Error("the request was aborted: the offloaded body should still run (the offload cancels the wait, not the work)")
	}
}
`

// TestOffloadBehaviour applies the offload case top-down with --offload:
// after phase 1 the offloaded ReportContext returns within 100 ms of
// cancellation while its sync body still runs; after the last phase the
// offload is gone and cancellation reaches the request itself.
func TestOffloadBehaviour(t *testing.T) {
	t.Parallel()
	dir := materialize(t, "../testdata/rewrite/offload.txtar")
	phase := func() *rewrite.Result {
		m, err := load.Load(t.Context(), dir)
		if err != nil {
			t.Fatal(err)
		}
		res, err := analysis.Analyze(m)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := strategies.TopDown{}.Plan(strategies.GraphOf(res.Units), strategies.Options{})
		if err != nil || len(plan.Phases) == 0 {
			t.Fatalf("plan: %v, %d phases", err, len(plan.Phases))
		}
		units := migrate.Units(plan.Phases[0])
		out, err := rewrite.Phase(rewrite.Input{Model: res, Units: units, Offload: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range out.Files {
			if err := os.WriteFile(filepath.Join(dir, f.Path), f.New, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	test := func(aborted string) {
		t.Helper()
		src := strings.Replace(offloadCancelTest, "WANT_ABORTED", aborted, 1)
		if err := os.WriteFile(filepath.Join(dir, "cancel_test.go"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(filepath.Join(dir, "cancel_test.go"))
		cmd := exec.Command("go", "test", "-count=1", "-run", "TestOffloadCancel", ".")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	}
	if out := phase(); len(out.Of(rewrite.CodeOffloaded)) != 1 {
		t.Fatalf("phase 1 offloads %v, want ReportContext", out.Of(rewrite.CodeOffloaded))
	}
	test("false")
	if out := phase(); len(out.Of(rewrite.CodeUnwrapped)) != 1 {
		t.Fatalf("phase 2 unwraps %v, want ReportContext", out.Of(rewrite.CodeUnwrapped))
	}
	src, _ := os.ReadFile(filepath.Join(dir, "offload.go"))
	if strings.Contains(string(src), rewrite.OffloadMarker) || strings.Contains(string(src), "go func") {
		t.Fatalf("the offload is still there after the last phase:\n%s", src)
	}
	test("true")
	vet(t, dir)
}
