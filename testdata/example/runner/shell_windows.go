//go:build windows

package runner

import "os/exec"

// shell runs script with cmd /C.
func shell(script string) ([]byte, error) {
	return exec.Command("cmd", "/C", script).CombinedOutput()
}
