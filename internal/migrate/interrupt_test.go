package migrate_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/smartmigrate/smartmigrate/internal/migrate"
)

// TestInterruptWritesNothing: a cancel before the journal's write, here
// while --verify runs, writes nothing, not even the journal.
func TestInterruptWritesNothing(t *testing.T) {
	t.Parallel()
	_, before, rep := firstRewritten(t)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	after, err := writePristine(ctx, t, rep, migrate.WriteOptions{Verify: "sleep 60"})
	var intr *migrate.Interrupted
	if !errors.As(err, &intr) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want Interrupted", err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("took %s", d)
	}
	sameFiles(t, "after the interrupt", before, after)

	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	after, err = writePristine(cancelled, t, rep, migrate.WriteOptions{})
	if !errors.As(err, &intr) {
		t.Fatalf("error = %v, want Interrupted", err)
	}
	sameFiles(t, "after a cancel beforehand", before, after)
}
