package migrate

import (
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// memoryBudget is how many times the memory a load of the module took
// apply --all may use: the checks of a phase hold the module twice (as
// it was and as the phase leaves it) for a while, and without a limit
// the collector lets the heap grow to twice what is live on top of that.
const memoryBudget = 1.8

// limits counts the runs under a limit set by limitMemory, and keeps the
// limit to restore when the last one ends (tests run several at once).
var limits struct {
	sync.Mutex
	n    int
	prev int64
}

// limitMemory sets the runtime's soft memory limit to memoryBudget times
// the memory the process holds now (just after the first load), unless a
// lower one is set (GOMEMLIMIT), and returns what restores the previous
// limit. The collector then works harder near the limit instead of
// growing the heap past it; what is live is never freed early, so a
// module whose live data needs more still runs, more slowly.
func limitMemory() func() {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 || s[1].Value.Kind() != metrics.KindUint64 {
		return func() {}
	}
	held := s[0].Value.Uint64() - s[1].Value.Uint64()
	limits.Lock()
	defer limits.Unlock()
	cur := debug.SetMemoryLimit(-1)
	if limits.n == 0 {
		limits.prev = cur
	}
	limits.n++
	if limit := int64(float64(held) * memoryBudget); limit < cur {
		debug.SetMemoryLimit(limit)
	}
	return func() {
		limits.Lock()
		defer limits.Unlock()
		if limits.n--; limits.n == 0 {
			debug.SetMemoryLimit(limits.prev)
		}
	}
}
