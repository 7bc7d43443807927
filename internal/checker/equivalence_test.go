package checker

import (
	"fmt"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/verify"
	"golang.org/x/tools/txtar"
)

// TestDriversAgree runs the whole-module analysis (plan and apply) and the
// analyzer (check and smartmigrate-vet) on the bundled example and on the
// cases they once disagreed on, and asserts the same verdict for every
// function outside test files: whether it blocks, the operation it
// reaches, and whether and how the gate reports it.
func TestDriversAgree(t *testing.T) {
	example := filepath.Join(t.TempDir(), "example")
	if err := verify.CopyModule("../../testdata/example", example); err != nil {
		t.Fatal(err)
	}
	for name, dir := range map[string]string{"example": example, "cases": materialize(t, "testdata/equiv/cases.txtar")} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			module := moduleVerdicts(t, dir)
			checked := analyzerVerdicts(t, dir)
			if len(module) < 5 {
				t.Fatalf("only %d functions", len(module))
			}
			for _, k := range sortedKeys(module, checked) {
				if module[k] != checked[k] {
					t.Errorf("%s:\n  analysis: %s\n  analyzer: %s", k, module[k], checked[k])
				}
			}
		})
	}
}

// moduleVerdicts are the whole-module analysis's verdicts, by position.
func moduleVerdicts(t *testing.T, dir string) map[string]string {
	m, err := load.Load(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	model, err := analysis.Analyze(m)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range model.Funcs {
		if f.Decl == nil || !exportsFact(f) {
			continue
		}
		out[f.At.String()] = verdict(f.Name, f.Blocking, f.Via, Reported(f), Message(f))
	}
	return out
}

// analyzerVerdicts are the analyzer's, from its facts and diagnostics.
func analyzerVerdicts(t *testing.T, dir string) map[string]string {
	graph, err := analyze(t.Context(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, act := range roots(graph) {
		if act.Err != nil {
			t.Fatal(act.Err)
		}
		facts := map[*types.Func]*isBlocking{}
		for _, of := range act.AllObjectFacts() {
			if fn, ok := of.Object.(*types.Func); ok && fn.Pkg() == act.Package.Types {
				facts[fn] = of.Fact.(*isBlocking)
			}
		}
		reports := map[string]string{}
		for _, d := range act.Diagnostics {
			reports[posOf(act.Package.Fset, d.Pos, dir)] = d.Message
		}
		for _, file := range act.Package.Syntax {
			name := act.Package.Fset.Position(file.Package).Filename
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			for _, obj := range act.Package.TypesInfo.Defs {
				fn, ok := obj.(*types.Func)
				if !ok || act.Package.Fset.File(fn.Pos()) != act.Package.Fset.File(file.Pos()) || isEntry(fn) {
					continue
				}
				if sig := fn.Signature(); sig.Recv() != nil && types.IsInterface(sig.Recv().Type()) {
					continue
				}
				pos := posOf(act.Package.Fset, fn.Pos(), dir)
				fact := facts[fn]
				msg, reported := reports[pos]
				var via analysis.Via
				if fact != nil {
					via = fact.Via
				}
				out[pos] = verdict(fn.Name(), fact != nil, via, reported, msg)
			}
		}
	}
	return out
}

func verdict(name string, blocking bool, via analysis.Via, reported bool, msg string) string {
	if !blocking {
		return name + ": not blocking"
	}
	v := fmt.Sprintf("%s: blocks via %s", name, via)
	if reported {
		v += "; reported: " + msg
	}
	return v
}

func isEntry(fn *types.Func) bool {
	return fn.Signature().Recv() == nil && (fn.Name() == "init" || fn.Name() == "main" && fn.Pkg().Name() == "main")
}

// posOf is pos as "file:line:col", the file relative to the module root.
func posOf(fset *token.FileSet, pos token.Pos, root string) string {
	p := fset.Position(pos)
	rel, _ := filepath.Rel(root, p.Filename)
	return analysis.Position{File: filepath.ToSlash(rel), Line: p.Line, Col: p.Column}.String()
}

func sortedKeys(ms ...map[string]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// materialize writes a txtar archive's files to a temporary folder.
func materialize(t *testing.T, archive string) string {
	ar, err := txtar.ParseFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range ar.Files {
		path := filepath.Join(dir, f.Name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
