package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smartmigrate/smartmigrate/internal/verify"
)

// TestApplyInterrupted: Ctrl-C (a cancelled context) while the phase is
// verified exits 130, says nothing was written, and writes nothing; with
// standard error not a terminal there is no progress.
func TestApplyInterrupted(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "example")
	if err := verify.CopyModule("../../testdata/example", dir); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := runContext(ctx, []string{"-C", dir, "apply", "--verify", "sleep 60"}, &stdout, &stderr)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitInterrupted, stderr.String())
	}
	if got := stderr.String(); got != "smartmigrate: interrupted; nothing was written\n" {
		t.Errorf("stderr = %q", got)
	}
	if stdout.Len() > 0 {
		t.Errorf("stdout = %q", stdout.String())
	}
	after := readTree(t, dir)
	if len(after) != len(before) {
		t.Errorf("%d files before, %d after", len(before), len(after))
	}
	for name, data := range before {
		if after[name] != data {
			t.Errorf("%s changed", name)
		}
	}
}

func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 || strings.Contains(strings.Join(keys(out), " "), ".smartmigrate") {
		t.Fatalf("unexpected tree: %v", keys(out))
	}
	return out
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
