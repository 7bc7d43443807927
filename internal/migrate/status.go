package migrate

import (
	"context"
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
	Progress *progress.Printer
}

// PackageStatus is what the model counts of one package (or in total),
// with the call sites in non-test code that pass context.TODO().
type PackageStatus struct {
	Package string
	analysis.Counts
	TODO int
}

// StatusReport is how far the migration is.
type StatusReport struct {
	Module string
	Dir    string
	// Phases are the journal's phases, reverted ones included.
	Phases   []journal.Phase
	Packages []PackageStatus
	Total    PackageStatus
	// Uncommitted are the IDs of the phases applied with --commit
	// that git has no commit of (see Uncommitted).
	Uncommitted []string
}

// Status loads and analyses the module and reads its journal.
func Status(ctx context.Context, o StatusOptions) (*StatusReport, error) {
	model, _, err := analyze(ctx, PlanOptions{Dir: o.Dir, Progress: o.Progress}, o.Patterns...)
	if err != nil {
		return nil, err
	}
	j, err := journal.Load(model.Load.Dir)
	if err != nil {
		return nil, err
	}
	rep := &StatusReport{Module: model.Module, Dir: model.Load.Dir, Phases: j.Phases, Packages: []PackageStatus{}, Total: PackageStatus{Package: "total"}}
	if rep.Phases == nil {
		rep.Phases = []journal.Phase{}
	}
	uncommitted, err := Uncommitted(ctx, rep.Dir, j)
	if err != nil {
		return nil, err
	}
	for _, p := range uncommitted {
		rep.Uncommitted = append(rep.Uncommitted, p.ID)
	}
	byPkg := map[string]*PackageStatus{}
	get := func(path string) *PackageStatus {
		if byPkg[path] == nil {
			byPkg[path] = &PackageStatus{Package: path}
		}
		return byPkg[path]
	}
	for path, c := range model.CountByPackage() {
		if c.ContextAware+c.Blocking > 0 {
			get(path).Counts = *c
		}
	}
	for path, n := range countTODO(model.Load) {
		get(path).TODO += n
	}
	for _, s := range byPkg {
		rep.Packages = append(rep.Packages, *s)
		rep.Total.Add(s.Counts)
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
