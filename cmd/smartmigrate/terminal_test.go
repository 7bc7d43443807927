//go:build unix

package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/creack/pty"
	"github.com/smartmigrate/smartmigrate/internal/verify"
)

// TestTerminal runs the built command on a pseudo-terminal, as a person
// at a terminal would, on a copy of the bundled example: the dry-run
// patch is coloured unless NO_COLOR is set to something or TERM is dumb,
// and plan shows the live progress line while it loads (redrawn in place
// and erased), with the erase-line code only where TERM is not dumb.
func TestTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin := filepath.Join(t.TempDir(), "smartmigrate")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	mod := filepath.Join(t.TempDir(), "example")
	if err := verify.CopyModule("../../testdata/example", mod); err != nil {
		t.Fatal(err)
	}
	onTTY := func(t *testing.T, env []string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"-C", mod}, args...)...)
		cmd.Env = append(os.Environ(), env...)
		f, err := pty.Start(cmd)
		if err != nil {
			t.Skipf("no pseudo-terminal here: %v", err)
		}
		defer f.Close()
		var out bytes.Buffer
		_, _ = io.Copy(&out, f) // ends with EIO once the command exits
		if err := cmd.Wait(); err != nil {
			t.Fatalf("smartmigrate %s: %v\n%s", strings.Join(args, " "), err, out.String())
		}
		return out.String()
	}
	colour := "\x1b[32m+"
	cases := []struct {
		name   string
		env    []string
		args   []string
		want   []string
		reject []string
	}{
		{"colour", []string{"TERM=xterm", "NO_COLOR="}, []string{"apply", "--dry-run"}, []string{colour}, nil},
		{"NO_COLOR", []string{"TERM=xterm", "NO_COLOR=1"}, []string{"apply", "--dry-run"}, nil, []string{"\x1b[3"}},
		{"dumb", []string{"TERM=dumb"}, []string{"apply", "--dry-run"}, nil, []string{"\x1b["}},
		{"never", []string{"TERM=xterm"}, []string{"apply", "--dry-run", "--color=never"}, nil, []string{"\x1b[3"}},
		{"progress", []string{"TERM=xterm"}, []string{"plan"},
			[]string{"\rsmartmigrate: loading packages: ", "\r\x1b[Ksmartmigrate: loaded ", "phase 1"}, nil},
		{"progress dumb", []string{"TERM=dumb"}, []string{"plan"},
			[]string{"\rsmartmigrate: loading packages: ", "smartmigrate: loaded "}, []string{"\x1b["}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := onTTY(t, c.env, c.args...)
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%q", w, tail(out, 600))
				}
			}
			for _, r := range c.reject {
				if strings.Contains(out, r) {
					t.Errorf("output has %q:\n%q", r, tail(out, 600))
				}
			}
		})
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
