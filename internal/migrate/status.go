package migrate

import (
	"context"
	"fmt"
	"go/ast"
	"go/types"
	"sort"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/journal"
	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/progress"
)

// StatusOptions say which module to report on.
type StatusOptions struct {
	// Dir is a folder inside the module; Patterns select packages
	// ("./..." when empty).
	Dir      string
	Patterns []string
	// Context and Progress are as in PlanOptions.
	Context  context.Context
	Progress *progress.Printer
}

// PackageStatus counts, for one package (or in total), the functions
// outside test files that are context-aware and the blocking ones that are
// not yet.
type PackageStatus struct {
	Package string `json:"package"`
	// ContextAware counts functions that take a context, have a ctx form
	// (a migrated Foo beside FooContext, counted once) or are HTTP handlers.
	ContextAware int `json:"contextAware"`
	// Remaining counts blocking functions without a context: ToMigrate of
	// them are in units to migrate, LeftOut are left alone (see plan).
	Remaining int `json:"remaining"`
	ToMigrate int `json:"toMigrate"`
	LeftOut   int `json:"leftOut"`
	// TODO counts call sites in non-test code that pass context.TODO().
	TODO int `json:"todo"`
}

// StatusReport is how far the migration is.
type StatusReport struct {
	Module string `json:"module"`
	Dir    string `json:"-"`
	// Phases are the journal's phases, reverted ones included.
	Phases   []journal.Phase `json:"phases"`
	Packages []PackageStatus `json:"packages"`
	Total    PackageStatus   `json:"total"`
}

// Status loads and analyses the module and reads its journal.
func Status(o StatusOptions) (*StatusReport, error) {
	dir := o.Dir
	if dir == "" {
		dir = "."
	}
	mod, err := load.LoadWith(load.Options{Context: o.Context, Progress: o.Progress}, dir, o.Patterns...)
	if err != nil {
		return nil, err
	}
	res, err := analysis.Analyze(mod)
	if err != nil {
		return nil, fmt.Errorf("analyse %s: %w", mod.Path, err)
	}
	j, err := journal.Load(mod.Dir)
	if err != nil {
		return nil, err
	}
	rep := &StatusReport{Module: mod.Path, Dir: mod.Dir, Phases: j.Phases, Packages: []PackageStatus{}, Total: PackageStatus{Package: "total"}}
	if rep.Phases == nil {
		rep.Phases = []journal.Phase{}
	}
	byPkg := map[string]*PackageStatus{}
	get := func(path string) *PackageStatus {
		if byPkg[path] == nil {
			byPkg[path] = &PackageStatus{Package: path}
		}
		return byPkg[path]
	}
	ctxForms := map[string]bool{}
	for _, f := range res.Funcs {
		if f.HasCtxForm {
			ctxForms[f.ID+"Context"] = true
		}
	}
	for _, f := range res.Funcs {
		if f.TestFile || f.InterfaceMethod {
			continue
		}
		switch {
		case ctxForms[f.ID]:
			// FooContext: counted with Foo.
		case f.TakesContext || f.HasCtxForm || f.Handler:
			get(f.Package).ContextAware++
		case f.Blocking:
			s := get(f.Package)
			s.Remaining++
			if f.Skip == "" {
				s.ToMigrate++
			} else {
				s.LeftOut++
			}
		}
	}
	for path, n := range countTODO(mod) {
		get(path).TODO += n
	}
	for _, s := range byPkg {
		rep.Packages = append(rep.Packages, *s)
		rep.Total.ContextAware += s.ContextAware
		rep.Total.Remaining += s.Remaining
		rep.Total.ToMigrate += s.ToMigrate
		rep.Total.LeftOut += s.LeftOut
		rep.Total.TODO += s.TODO
	}
	sort.Slice(rep.Packages, func(i, k int) bool { return rep.Packages[i].Package < rep.Packages[k].Package })
	return rep, nil
}

// countTODO counts, per package, the calls to context.TODO in files that
// are not tests (files excluded by the build constraints are not counted:
// they have no types).
func countTODO(mod *load.Module) map[string]int {
	out := map[string]int{}
	seen := map[string]bool{}
	for _, p := range mod.Packages {
		for i, f := range p.Syntax {
			name := ""
			if i < len(p.CompiledGoFiles) {
				name = p.CompiledGoFiles[i]
			}
			if name == "" || strings.HasSuffix(name, "_test.go") || seen[name] {
				continue
			}
			seen[name] = true
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "TODO" {
					return true
				}
				if fn, ok := p.TypesInfo.Uses[sel.Sel].(*types.Func); ok && fn.Pkg() != nil && fn.Pkg().Path() == "context" {
					out[p.PkgPath]++
				}
				return true
			})
		}
	}
	return out
}
