package parallel

import (
	"errors"
	"fmt"
	"testing"
)

// TestForEach: every index runs once, and the error returned is the
// lowest index's, whatever order the goroutines ran in.
func TestForEach(t *testing.T) {
	for _, c := range []struct{ n, workers int }{{0, 0}, {1, 0}, {7, 0}, {100, 0}, {100, 1}, {100, 9}} {
		n := c.n
		seen := make([]int, n)
		err := ForEach(n, c.workers, func(i int) error {
			seen[i]++
			if i%3 == 2 {
				return fmt.Errorf("fail %d", i)
			}
			return nil
		})
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("n=%d: index %d ran %d times", n, i, c)
			}
		}
		var want error
		if n > 2 {
			want = errors.New("fail 2")
		}
		if fmt.Sprint(err) != fmt.Sprint(want) {
			t.Errorf("n=%d: error %v, want %v", n, err, want)
		}
	}
}

// TestMap: each result lands at its own index, whatever order the
// goroutines ran in.
func TestMap(t *testing.T) {
	for _, n := range []int{0, 1, 100} {
		got := Map(n, func(i int) int { return i * i })
		if len(got) != n {
			t.Fatalf("n=%d: %d results", n, len(got))
		}
		for i, v := range got {
			if v != i*i {
				t.Fatalf("n=%d: result %d = %d, want %d", n, i, v, i*i)
			}
		}
	}
}
