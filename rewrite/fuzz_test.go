package rewrite_test

import (
	"bytes"
	"errors"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/internal/patch"
	"github.com/smartmigrate/smartmigrate/rewrite"
	"github.com/smartmigrate/smartmigrate/strategies"
	"golang.org/x/tools/txtar"
)

// FuzzRewrite feeds Go source (one file of package p) through the
// analysis and the rewrite of the first bottom-up phase. Input that does
// not type-check is skipped; for the rest the rewrite must not fail, its
// output must parse, its patch must apply and reverse exactly, and the
// rewritten module must type-check again.
//
// The seeds are the Go files of ../testdata/rewrite and of the corpus in
// testdata/fuzz/FuzzRewrite. A fuzzing run:
//
//	go test ./rewrite -run '^$' -fuzz FuzzRewrite -fuzztime 30m
func FuzzRewrite(f *testing.F) {
	cases, _ := filepath.Glob("../testdata/rewrite/*.txtar")
	for _, c := range cases {
		ar, err := txtar.ParseFile(c)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range ar.Files {
			if strings.HasSuffix(file.Name, ".go") && !strings.HasSuffix(file.Name, "_test.go") && !strings.Contains(file.Name, "/") {
				f.Add(string(file.Data))
			}
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		t.Parallel() // the seeds run in parallel; fuzzing ignores it
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, "p.go", src, parser.PackageClauseOnly)
		if err != nil || file.Name.Name == "main" || strings.Contains(src, "import \"C\"") || strings.Contains(src, "//go:build") {
			t.Skip()
		}
		dir := t.TempDir()
		write := func(name, text string) {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write("go.mod", "module example.com/fuzz\n\ngo 1.24\n")
		write("p.go", src)
		m, err := load.Load(t.Context(), dir)
		if err != nil {
			t.Skip() // not a valid package: nothing to check
		}
		res, err := analysis.Analyze(m)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := strategies.BottomUp{}.Plan(strategies.GraphOf(res.Units), strategies.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(plan.Phases) == 0 {
			return
		}
		units := migrate.Units(plan.Phases[0])
		out, err := rewrite.Phase(rewrite.Input{Model: res, Units: units})
		if err != nil {
			t.Fatalf("rewrite failed on valid input: %v", err)
		}
		diff := patch.Unified(out.Files)
		old := map[string][]byte{}
		for _, fc := range out.Files {
			old[fc.Path] = fc.Old
			if _, err := parser.ParseFile(token.NewFileSet(), fc.Path, fc.New, parser.ParseComments); err != nil {
				t.Fatalf("rewritten %s does not parse: %v\n%s", fc.Path, err, fc.New)
			}
			if (fc.Old == nil || isGofmtClean(fc.Old)) && !isGofmtClean(fc.New) {
				t.Fatalf("rewritten %s was gofmt-clean and is not:\n%s", fc.Path, fc.New)
			}
		}
		applied, err := patch.Apply(diff, func(p string) ([]byte, error) {
			if b, ok := old[p]; ok && b != nil {
				return b, nil
			}
			return nil, os.ErrNotExist
		})
		if err != nil {
			t.Fatalf("patch does not apply: %v", err)
		}
		rev, err := patch.Reverse(diff)
		if err != nil {
			t.Fatal(err)
		}
		newer := map[string][]byte{}
		for _, fc := range applied {
			newer[fc.Path] = fc.New
		}
		back, err := patch.Apply(rev, func(p string) ([]byte, error) { return newer[p], nil })
		if err != nil {
			t.Fatalf("reverse patch does not apply: %v", err)
		}
		for _, fc := range back {
			if !bytes.Equal(fc.New, old[fc.Path]) {
				t.Fatalf("reversing does not give %s back", fc.Path)
			}
		}
		for _, fc := range out.Files {
			write(fc.Path, string(fc.New))
		}
		if _, err := load.Load(t.Context(), dir); err != nil {
			var le *load.Error
			if errors.As(err, &le) {
				t.Fatalf("rewritten module does not type-check:\n%v\n--- input\n%s\n--- output\n%s", err, src, out.Files[0].New)
			}
			t.Fatal(err)
		}
	})
}
