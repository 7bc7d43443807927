package rewrite

import (
	"errors"
	"fmt"
	"testing"
)

// TestForEach: every index runs once, and the error returned is the
// lowest index's, whatever order the goroutines ran in.
func TestForEach(t *testing.T) {
	for _, n := range []int{0, 1, 7, 100} {
		seen := make([]int, n)
		err := forEach(n, func(i int) error {
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
