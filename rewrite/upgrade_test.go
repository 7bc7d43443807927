package rewrite_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/smartmigrate/smartmigrate/rewrite"
)

// upgradeTest runs in the upgrade case once migrated: a value that only
// has the sync method still works through the ctx forms, one that has the
// ctx form gets the caller's cancellation, and *Client implements the
// generated FetcherContext.
const upgradeTest = `package cache

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/upgrade/api"
)

var _ api.FetcherContext = (*api.Client)(nil)

type syncOnly struct{}

func (syncOnly) Fetch(id string) ([]byte, error) { return []byte("sync " + id), nil }
func (syncOnly) Name() string                    { return "sync" }

type ctxAware struct{ syncOnly }

func (ctxAware) FetchContext(ctx context.Context, id string) ([]byte, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(5 * time.Second):
		return []byte("late"), nil
	}
}

func TestSyncOnlyStillWorks(t *testing.T) {
	b, err := GetContext(context.Background(), syncOnly{}, "7")
	if err != nil || string(b) != "sync 7" {
		t.Fatalf("GetContext(syncOnly) = %q, %v", b, err)
	}
	if n := api.SizeContext(context.Background(), syncOnly{}, "7"); n != len("sync 7") {
		t.Fatalf("SizeContext(syncOnly) = %d", n)
	}
	if err := api.Warm(syncOnly{}, []string{"1", "2"}); err != nil {
		t.Fatal(err)
	}
}

func TestCtxFormGetsCancellation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := GetContext(ctx, ctxAware{}, "7")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("GetContext(ctxAware): %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("GetContext(ctxAware) took %v", d)
	}
	if err := api.WarmContext(ctx, ctxAware{}, []string{"1"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WarmContext(ctxAware): %v", err)
	}
}
`

// TestUpgradeBehaviour migrates the upgrade case with
// --upgrade-interfaces and runs upgradeTest on the result.
func TestUpgradeBehaviour(t *testing.T) {
	t.Parallel()
	dir := materialize(t, "../testdata/rewrite/upgrade.txtar")
	migrateWith(t, dir, "bottom-up", rewrite.Input{UpgradeInterfaces: true})
	if err := os.WriteFile(filepath.Join(dir, "cache", "upgrade_test.go"), []byte(upgradeTest), 0o644); err != nil {
		t.Fatal(err)
	}
	// go test leaves vetting to the go vet after it, which covers every
	// package, upgradeTest included.
	cmd := exec.Command("go", "test", "-count=1", "-vet=off", "./...")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	vet(t, dir)
}
