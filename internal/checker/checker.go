// Package checker is the feature-branch gate as a go/analysis Analyzer:
// ctxcheck reports functions that block without taking a
// context.Context.
//
// The analyzer holds no rules of its own. It hands each package to
// analysis.AnalyzePackage, the same extraction, propagation and
// classification that plan and apply run over the whole module, and
// passes what it finds to the packages that import it as facts: one per
// function that blocks (isBlocking), so that blocking crosses packages
// the same way under go vet (unitchecker) and under a go/packages driver
// (smartmigrate check). It reports exactly the functions the migration
// would give a context: blocking, without a context yet, and not left
// alone (test and generated files, main and init, methods whose signature
// an outside interface fixes, ctx-form names taken, methods of exported
// interfaces).
//
// What one package and its imports cannot show is not seen: an
// implementation of an interface in a package the caller does not import,
// and functions used as values or implementing interfaces only in the
// packages that import them (see analysis.AnalyzePackage).
package checker

import (
	"fmt"
	"go/types"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
	goanalysis "golang.org/x/tools/go/analysis"
)

// Analyzer is the ctxcheck analyzer.
var Analyzer = &goanalysis.Analyzer{
	Name: "ctxcheck",
	Doc: `report functions that block without taking a context.Context

A function blocks when it calls a sink (a call with a context-aware form:
http.Get, (*sql.DB).Query, exec.Command, any X with a sibling XContext, a
context.Background() that is not returned) or a function of the same module
that blocks. The finding names the sink reached and the ctx form to add:
FooContext(ctx context.Context, ...) for exported functions of importable
packages, ctx as the first parameter for the rest.`,
	URL:       "https://github.com/smartmigrate/smartmigrate#ci-gate",
	Run:       run,
	FactTypes: []goanalysis.Fact{new(isBlocking)},
	// Packages outside the module (the standard library, loaded with
	// function bodies stripped by smartmigrate check) are skipped before
	// anything is read, so type errors there must not stop the analysis.
	RunDespiteErrors: true,
}

// isBlocking is the fact that a function of the module blocks without a
// context: what the analysis tells the importing packages (the operation
// it reaches, how far away, how far a ctx would reach through it).
type isBlocking struct {
	analysis.Fact
}

func (*isBlocking) AFact() {}

func (f *isBlocking) String() string { return "blocks via " + f.Via.String() }

// Category is the diagnostics' category.
const Category = "ctxcheck"

func run(pass *goanalysis.Pass) (any, error) {
	mod, goVersion := "", ""
	if pass.Module != nil {
		mod, goVersion = pass.Module.Path, pass.Module.GoVersion
	}
	if !analysis.IsModulePath(pass.Pkg.Path(), mod) {
		return nil, nil
	}
	funcs := analysis.AnalyzePackage(analysis.PackageInput{
		Fset: pass.Fset, Types: pass.Pkg, Info: pass.TypesInfo, Files: pass.Files,
		Module: mod, GoVersion: goVersion,
		Fact: func(obj *types.Func) (analysis.Fact, bool) {
			var f isBlocking
			if !pass.ImportObjectFact(obj, &f) {
				return analysis.Fact{}, false
			}
			return f.Fact, true
		},
		Facts: func() []*types.Func {
			var out []*types.Func
			for _, of := range pass.AllObjectFacts() {
				if fn, ok := of.Object.(*types.Func); ok && fn.Pkg() != pass.Pkg {
					out = append(out, fn)
				}
			}
			return out
		},
	})
	for _, f := range funcs {
		if !f.Blocking {
			continue
		}
		if exportsFact(f) {
			pass.ExportObjectFact(f.Obj, &isBlocking{analysis.FactOf(f)})
		}
		if Reported(f) {
			pass.Report(goanalysis.Diagnostic{
				Pos:      f.Pos,
				End:      f.Decl.Name.End(),
				Category: Category,
				Message:  Message(f),
			})
		}
	}
	return nil, nil
}

// exportsFact reports whether other packages can call f, so that its fact
// matters: not in a test file, not main or init.
func exportsFact(f *analysis.Func) bool {
	switch f.Skip.Code {
	case analysis.SkipTestFile, analysis.SkipMain, analysis.SkipInit:
		return false
	}
	return true
}

// Reported reports whether the gate reports f: a declared function that
// blocks without a context and that the migration would give one.
func Reported(f *analysis.Func) bool {
	return f.Blocking && f.Skip.IsZero() && f.Decl != nil
}

// Message is the finding for f.
func Message(f *analysis.Func) string {
	return fmt.Sprintf("%s blocks (%s) without a context.Context: add %s", f.Name, f.Via, f.Suggestion())
}
