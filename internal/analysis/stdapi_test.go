package analysis

import (
	"strings"
	"testing"
)

// TestStdSince reads the toolchain's api record.
func TestStdSince(t *testing.T) {
	for sym, want := range map[string]int{
		"net/http.NewRequestWithContext": 13,
		"(*net.Dialer).DialContext":      7,
		"context.AfterFunc":              21,
		"(*database/sql.DB).BeginTx":     8,
		"os/exec.CommandContext":         7,
		"net/http.Get":                   0, // Go 1.0
		"example.com/m.F":                0,
	} {
		if got := stdSince(sym); got != want {
			t.Errorf("stdSince(%s) = %d, want %d", sym, got, want)
		}
	}
}

// TestWrapperPkgs: isWrapperType looks a type up only when its package is
// one of wrapperPkgs, so each wrapper type's package must be there.
func TestWrapperPkgs(t *testing.T) {
	for name := range wrapperTypes {
		if pkg := name[:strings.LastIndex(name, ".")]; !wrapperPkgs[pkg] {
			t.Errorf("wrapper type %s: package %s is not in wrapperPkgs", name, pkg)
		}
	}
}
