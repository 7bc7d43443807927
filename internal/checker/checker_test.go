package checker_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/checker"
	"github.com/smartmigrate/smartmigrate/internal/testenv"
	"golang.org/x/tools/go/analysis/analysistest"
	"golang.org/x/tools/go/packages"
)

func init() { testenv.LessGC() }

// TestAnalyzer runs ctxcheck over testdata/src: package a holds the sinks
// and the cases that are not reported (ctx taken, handler, ctx form
// present, generated file, io.Reader method, init, test file); package b
// blocks only through a's facts; b/internal/c gets an in-place suggestion.
func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), checker.Analyzer,
		"example.com/a", "example.com/b", "example.com/b/internal/c")
}

// TestSuggestedFixes applies ctxcheck's fixes in testdata/src/example.com/fix
// and compares the files with their .golden versions: a ctx form and its
// shim for an exported function of an importable package; ctx in place,
// with the callers in other files of the package passing their ctx and
// their request's, for an internal one.
func TestSuggestedFixes(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), checker.Analyzer,
		"example.com/fix/api", "example.com/fix/internal/store")
	typeCheckFixed(t, filepath.Join(analysistest.TestData(), "src", "example.com", "fix"), "example.com/fix")
}

// TestNoFixWithTypeErrors: a package that does not type-check (an editor's
// half-typed buffer) gets its findings without fixes.
func TestNoFixWithTypeErrors(t *testing.T) {
	for _, r := range analysistest.Run(t, analysistest.TestData(), checker.Analyzer, "example.com/broken") {
		if len(r.Diagnostics) == 0 {
			t.Error("no finding")
		}
		for _, d := range r.Diagnostics {
			if len(d.SuggestedFixes) > 0 {
				t.Errorf("%s has a fix", d.Message)
			}
		}
	}
}

// typeCheckFixed type-checks the module at dir (path mod) with every
// file that has a .golden version replaced by it: the fixed code.
func typeCheckFixed(t *testing.T, dir, mod string) {
	tmp := t.TempDir()
	if err := os.CopyFS(tmp, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	renamed := 0
	err := filepath.WalkDir(tmp, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(path, ".golden") {
			return err
		}
		renamed++
		return os.Rename(path, strings.TrimSuffix(path, ".golden"))
	})
	if err != nil || renamed == 0 {
		t.Fatalf("no golden files (%v)", err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "go.mod"), []byte("module "+mod+"\n\ngo 1.24\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pkgs, err := packages.Load(&packages.Config{Mode: packages.LoadSyntax, Dir: tmp, Env: append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")}, "./...")
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 2 {
		t.Fatalf("only %d packages", len(pkgs))
	}
	for _, p := range pkgs {
		for _, e := range p.Errors {
			t.Errorf("fixed %s does not type-check: %v", p.PkgPath, e)
		}
	}
}
