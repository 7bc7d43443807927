// Package runner runs the external tools the shop depends on.
package runner

import (
	"fmt"
	"os/exec"
	"strings"
)

// Run runs the named program with the given arguments and returns its
// combined standard output and standard error, trimmed of surrounding
// white space. If the program fails, the error includes its output.
func Run(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	out, err := cmd.CombinedOutput()
	s := strings.TrimSpace(string(out))
	if err != nil {
		if s != "" {
			return s, fmt.Errorf("runner: %s: %w: %s", name, err, s)
		}
		return s, fmt.Errorf("runner: %s: %w", name, err)
	}
	return s, nil
}

// Version returns the first line that tool prints for --version.
func Version(tool string) (string, error) {
	out, err := Run(tool, "--version")
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(out, "\n")
	return strings.TrimSpace(line), nil
}

// Shell runs script with the platform's command interpreter (sh on Unix,
// cmd on Windows) and returns its combined output, trimmed.
func Shell(script string) (string, error) {
	out, err := shell(script)
	s := strings.TrimSpace(string(out))
	if err != nil {
		return s, fmt.Errorf("runner: shell: %w", err)
	}
	return s, nil
}
