// Package health checks that the services the shop depends on are up.
package health

import (
	"fmt"
	"net/http"
)

// Check reports whether the health endpoint at url answers 200 OK.
func Check(url string) error {
	resp, err := http.Get(url)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s: %s", url, resp.Status)
	}
	return nil
}
