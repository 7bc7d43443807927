package verify

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/smartmigrate/smartmigrate/internal/progress"
	"github.com/smartmigrate/smartmigrate/internal/testenv"
)

// TestCancelStopsCommand: a cancel while --verify runs kills it (and what
// it started) at once, and the error is the cancel, not a Failure.
func TestCancelStopsCommand(t *testing.T) {
	progressLines := map[VetMode][]string{
		VetGo:        {"loading the rewritten copy: ", "loaded 1 package of the rewritten copy in ", "go vet . …"},
		VetInProcess: {"type-checking the changed packages and those that import them…", "go vet's analyzers on ., before and after the phase…"},
	}
	for _, mode := range VetModes {
		t.Run(string(mode), func(t *testing.T) {
			log := cancelDuringCommand(t, mode)
			for _, want := range progressLines[mode] {
				if !strings.Contains(log, want) && !strings.Contains(log, strings.ReplaceAll(want, " …", "…")) {
					t.Errorf("progress lacks %q:\n%s", want, log)
				}
			}
		})
	}
}

// cancelDuringCommand cancels a phase's verification while its command
// runs, checks that it stops at once with the cancel, and returns the
// progress lines.
func cancelDuringCommand(t *testing.T, mode VetMode) string {
	root := module(t)
	ctx, cancel := context.WithCancel(context.Background())
	log := &testenv.Buffer{}
	p := progress.To(log)
	go func() {
		for !strings.Contains(log.String(), "running --verify") {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	start := time.Now()
	_, err := Phase(ctx, Input{Root: root, Files: change(old), Command: "sleep 30 | cat", Progress: p, Vet: mode})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	var f *Failure
	if errors.As(err, &f) {
		t.Fatalf("a cancel is no Failure: %v", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %s: the command was not killed", d)
	}
	return log.String()
}

// TestCancelledBeforehand: nothing runs.
func TestCancelledBeforehand(t *testing.T) {
	root := module(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Phase(ctx, Input{Root: root, Files: change(old), Command: "exit 0"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
}
