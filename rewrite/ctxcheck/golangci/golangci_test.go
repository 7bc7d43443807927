//go:build golangci

package golangci_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/checker"
)

// golangciModule is golangci-lint's module; GOLANGCI_LINT_VERSION picks
// the version to build, custom-gcl.yml's by default.
const golangciModule = "github.com/golangci/golangci-lint/v2"

// pluginsFile is what golangci-lint custom writes into
// cmd/golangci-lint/plugins.go for a .custom-gcl.yml naming this plugin.
const pluginsFile = `package main

import (
	_ "github.com/smartmigrate/smartmigrate/rewrite/ctxcheck/golangci"
)
`

// TestCustomBuild does what golangci-lint custom does, from golangci-lint's
// module source instead of a git clone: the plugin import in
// cmd/golangci-lint/plugins.go, a replace of this module by the checkout,
// go mod tidy, go build. It runs the binary on testdata/example and
// requires exactly the findings of smartmigrate check.
func TestCustomBuild(t *testing.T) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	bin := buildCustom(t, root, filepath.Join(tmp, "golangci-lint"))

	example := filepath.Join(tmp, "example")
	if err := os.CopyFS(example, os.DirFS(filepath.Join(root, "testdata", "example"))); err != nil {
		t.Fatal(err)
	}
	config, err := os.ReadFile("golangci.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(example, ".golangci.yml"), config, 0o644); err != nil {
		t.Fatal(err)
	}
	got := lint(t, bin, example)
	findings, err := checker.Check(t.Context(), example)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range findings {
		want = append(want, f.String())
	}
	slices.Sort(want)
	t.Logf("golangci-lint: %d findings; smartmigrate check: %d", len(got), len(want))
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("golangci-lint with the plugin:\n%s\nsmartmigrate check:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// buildCustom builds golangci-lint with the plugin into dir, as
// golangci-lint custom does, and returns the binary.
func buildCustom(t *testing.T, root, dir string) string {
	version := os.Getenv("GOLANGCI_LINT_VERSION")
	if version == "" {
		version = shippedVersion(t)
	}
	var mod struct{ Dir, Error string }
	out := goCmd(t, root, "mod", "download", "-json", golangciModule+"@"+version)
	if err := json.Unmarshal([]byte(out), &mod); err != nil || mod.Dir == "" {
		t.Fatalf("go mod download %s@%s: %v %s", golangciModule, version, err, mod.Error)
	}
	if err := os.CopyFS(dir, os.DirFS(mod.Dir)); err != nil {
		t.Fatal(err)
	}
	// The module cache is read-only; go mod tidy rewrites these.
	for _, name := range []string{"go.mod", "go.sum"} {
		if err := os.Chmod(filepath.Join(dir, name), 0o644); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
	}
	plugins := filepath.Join(dir, "cmd", "golangci-lint", "plugins.go")
	if err := os.Remove(plugins); err != nil {
		t.Fatalf("%s has no plugins.go to write the import into: %v", version, err)
	}
	if err := os.WriteFile(plugins, []byte(pluginsFile), 0o644); err != nil {
		t.Fatal(err)
	}
	goCmd(t, dir, "mod", "edit", "-replace", "github.com/smartmigrate/smartmigrate="+root)
	goCmd(t, dir, "mod", "tidy")
	bin := filepath.Join(dir, "custom-gcl")
	goCmd(t, dir, "build", "-ldflags", "-s -w -X 'main.version="+version+"-custom-gcl'", "-o", bin, "./cmd/golangci-lint")
	return bin
}

// shippedVersion is the golangci-lint version custom-gcl.yml names.
func shippedVersion(t *testing.T) string {
	data, err := os.ReadFile("custom-gcl.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "version: "); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatal("custom-gcl.yml names no version")
	return ""
}

// lint runs the custom golangci-lint in dir and returns its findings as
// smartmigrate check prints them.
func lint(t *testing.T, bin, dir string) []string {
	report := filepath.Join(t.TempDir(), "report.json")
	cmd := exec.Command(bin, "run", "--output.json.path="+report, "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("golangci-lint run: %v, want exit status 1 (issues)\n%s", err, out)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Issues []struct {
			FromLinter, Text string
			Pos              struct {
				Filename     string
				Line, Column int
			}
		}
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("golangci-lint's JSON: %v\n%s", err, data)
	}
	var got []string
	for _, i := range rep.Issues {
		if i.FromLinter != "ctxcheck" {
			t.Errorf("an issue of %s: %s", i.FromLinter, i.Text)
		}
		got = append(got, fmt.Sprintf("%s:%d:%d: %s", filepath.ToSlash(i.Pos.Filename), i.Pos.Line, i.Pos.Column, i.Text))
	}
	slices.Sort(got)
	return got
}

// goCmd runs the go command in dir and returns its standard output.
func goCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}
