// Package retry retries operations that fail transiently.
package retry

import "fmt"

// Do calls fn until it succeeds or has been called attempts times, and
// returns the last error. An attempts below 1 means 1.
func Do(attempts int, fn func() error) error {
	if attempts < 1 {
		attempts = 1
	}
	var err error
	for i := 0; i < attempts; i++ {
		if err = fn(); err == nil {
			return nil
		}
	}
	return fmt.Errorf("retry: gave up after %d attempts: %w", attempts, err)
}
