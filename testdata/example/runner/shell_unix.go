//go:build !windows

package runner

import "os/exec"

// shell runs script with sh -c.
func shell(script string) ([]byte, error) {
	return exec.Command("sh", "-c", script).CombinedOutput()
}
