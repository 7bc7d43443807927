package load_test

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/load"
)

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestVariants checks that each package clause is loaded once: the test
// variant of a package with in-package tests, the external test package,
// no generated test main; and that files excluded by build constraints are
// parsed, but not //go:build ignore files or other packages' files.
func TestVariants(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"go.mod":            "module example.com/v\n\ngo 1.24\n",
		"a/a.go":            "package a\n\nfunc A() int { return 1 }\n",
		"a/a_test.go":       "package a\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) { A() }\n",
		"a/x_test.go":       "package a_test\n\nimport (\n\t\"testing\"\n\n\t\"example.com/v/a\"\n\t\"example.com/v/b\"\n)\n\nfunc TestX(t *testing.T) { a.A(); b.B() }\n",
		"a/a_windows.go":    "//go:build windows\n\npackage a\n\nfunc W() {}\n",
		"a/gen.go":          "//go:build ignore\n\npackage main\n\nfunc main() {}\n",
		"b/b.go":            "package b\n\nimport \"example.com/v/a\"\n\nfunc B() int { return a.A() }\n",
		"b/b_plan9.go":      "//go:build plan9\n\npackage b\n",
		"testdata/x/go.mod": "module ignored\n",
	})
	m, err := load.Load(t.Context(), filepath.Join(dir, "a"), "../...")
	if err != nil {
		t.Fatal(err)
	}
	if m.Dir != dir || m.Path != "example.com/v" || m.GoVersion != "1.24" {
		t.Errorf("module = %s %s %s", m.Dir, m.Path, m.GoVersion)
	}
	var ids []string
	for _, p := range m.Packages {
		ids = append(ids, p.ID)
	}
	want := []string{"example.com/v/a [example.com/v/a.test]", "example.com/v/a_test [example.com/v/a.test]", "example.com/v/b"}
	if strings.Join(ids, "\n") != strings.Join(want, "\n") {
		t.Errorf("packages:\n%s\nwant:\n%s", strings.Join(ids, "\n"), strings.Join(want, "\n"))
	}
	var ignored []string
	for _, f := range m.Ignored {
		ignored = append(ignored, m.Rel(f.Path))
	}
	sort.Strings(ignored)
	if strings.Join(ignored, " ") != "a/a_windows.go b/b_plan9.go" {
		t.Errorf("ignored files = %v", ignored)
	}
}

// TestTypeErrors checks that type errors come back as positioned lines.
func TestTypeErrors(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"go.mod": "module example.com/e\n\ngo 1.24\n",
		"e.go":   "package e\n\nfunc F() int { return \"x\" }\n\nfunc G() { undefined() }\n",
	})
	_, err := load.Load(t.Context(), dir)
	var le *load.Error
	if !errors.As(err, &le) {
		t.Fatalf("err = %v, want *load.Error", err)
	}
	if len(le.Messages) != 2 || !strings.HasPrefix(le.Messages[0], "e.go:3:23: ") || !strings.HasPrefix(le.Messages[1], "e.go:5:12: undefined: undefined") {
		t.Errorf("messages = %q", le.Messages)
	}
}

// TestErrorShowsFew checks that a long list is cut.
func TestErrorShowsFew(t *testing.T) {
	e := &load.Error{Messages: []string{"1", "2", "3", "4", "5", "6", "7"}}
	if got := e.Error(); got != "1\n2\n3\n4\n5\n(and 2 more errors)" {
		t.Errorf("Error() = %q", got)
	}
}

func TestNotAModule(t *testing.T) {
	dir := t.TempDir()
	if _, err := load.Load(t.Context(), dir); err == nil || !strings.Contains(err.Error(), "is not inside a Go module") {
		t.Errorf("err = %v", err)
	}
}
