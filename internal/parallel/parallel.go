// Package parallel runs independent pieces of work side by side.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// ForEach calls f(i) for every i below n, on at most workers goroutines
// (as many as there are processors when workers is 0 or less), and
// returns the error of the lowest i that failed, so that the error does
// not depend on scheduling. f must touch only what belongs to i.
func ForEach(n, workers int, f func(i int) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, workers) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				errs[i] = f(i)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Map calls f(i) for every i below n, side by side as ForEach does, and
// returns the results in the order of i.
func Map[T any](n int, f func(i int) T) []T {
	out := make([]T, n)
	_ = ForEach(n, 0, func(i int) error {
		out[i] = f(i)
		return nil
	})
	return out
}
