package migrate

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestLimitMemory: a run sets a limit below none, runs inside one share
// it, and the last to end restores what was set before.
func TestLimitMemory(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	if before != math.MaxInt64 {
		t.Skip("GOMEMLIMIT is set")
	}
	endA := limitMemory()
	a := debug.SetMemoryLimit(-1)
	if a >= before {
		t.Fatalf("limit %d after limitMemory, want below %d", a, before)
	}
	endB := limitMemory()
	endA()
	if got := debug.SetMemoryLimit(-1); got == before {
		t.Errorf("limit restored while a run still holds it")
	}
	endB()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("limit %d after both ended, want %d", got, before)
	}
}
