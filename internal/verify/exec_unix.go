//go:build unix

package verify

import (
	"errors"
	"os/exec"
	"syscall"
)

// ownGroup puts cmd in a process group of its own, killed whole on
// cancellation. The group also keeps a terminal's Ctrl-C from reaching the
// command directly: smartmigrate decides what an interrupt stops.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// processAlive reports whether a process with the given PID exists.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
