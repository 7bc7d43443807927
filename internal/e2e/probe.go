package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// A probe is a test of a migrated module's ctx forms, kept in
// testdata/probes/NAME.go.txt: its first lines say the module it is for
// ("// module: PATH") and the folder of the package it goes to ("// dir:
// memcache"); testdata/probes/stall_test.go.txt is written beside it, in
// the same package, with the stalled server and the probe helper. Each
// probed ctx form is called with a context that ends after 50 ms against
// a server that accepts and never answers; it must return within 1 s of
// that with an error wrapping the context's.

// ProbeFile is the probe in folder probes for module path, or "".
func ProbeFile(probes, path string) (string, error) {
	files, err := filepath.Glob(filepath.Join(probes, "*.go.txt"))
	if err != nil {
		return "", err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		if h, ok := probeHeader(string(data)); ok && h.module == path {
			return f, nil
		}
	}
	return "", nil
}

type header struct{ module, dir, pkg string }

var (
	moduleLine  = regexp.MustCompile(`(?m)^// module: (\S+)$`)
	dirLine     = regexp.MustCompile(`(?m)^// dir: (\S+)$`)
	packageLine = regexp.MustCompile(`(?m)^package (\w+)$`)
)

func probeHeader(src string) (header, bool) {
	m, d, p := moduleLine.FindStringSubmatch(src), dirLine.FindStringSubmatch(src), packageLine.FindStringSubmatch(src)
	if m == nil || d == nil || p == nil {
		return header{}, false
	}
	return header{module: m[1], dir: d[1], pkg: p[1]}, true
}

// Probe runs the probe file against the migrated module in dir and
// returns its lines ("NAME: TOOK: ERR"); the error says what failed. It
// leaves the module as it found it.
func Probe(ctx context.Context, dir, file string) ([]string, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	h, ok := probeHeader(string(src))
	if !ok {
		return nil, fmt.Errorf("%s: no // module:, // dir: or package line", file)
	}
	stall, err := os.ReadFile(filepath.Join(filepath.Dir(file), "stall_test.go.txt"))
	if err != nil {
		return nil, err
	}
	pkgDir := filepath.Join(dir, filepath.FromSlash(h.dir))
	written := []string{filepath.Join(pkgDir, "smartmigrate_probe_test.go"), filepath.Join(pkgDir, "smartmigrate_stall_test.go")}
	defer func() {
		for _, f := range written {
			os.Remove(f)
		}
	}()
	if err := os.WriteFile(written[0], src, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(written[1], []byte(strings.Replace(string(stall), "package PKG", "package "+h.pkg, 1)), 0o644); err != nil {
		return nil, err
	}
	out := filepath.Join(os.TempDir(), fmt.Sprintf("smartmigrate-probe-%d.txt", os.Getpid()))
	os.Remove(out)
	defer os.Remove(out)
	_, runErr := goCmdEnv(ctx, dir, []string{"SMARTMIGRATE_PROBE_OUT=" + out}, "test", "-count=1", "-run", "^TestProbe", "./"+filepath.ToSlash(h.dir))
	data, _ := os.ReadFile(out)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(data) == 0 {
		lines = nil
	}
	if runErr != nil {
		return lines, fmt.Errorf("probe: %v", runErr)
	}
	return lines, nil
}
