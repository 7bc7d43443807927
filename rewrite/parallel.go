package rewrite

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// forEach calls f(i) for every i below n, on as many goroutines as there
// are processors, and returns the error of the lowest i that failed. f
// must touch only what belongs to i.
func forEach(n int, f func(i int) error) error {
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
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
