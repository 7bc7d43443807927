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
	"go/token"
	"go/types"
	"reflect"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
	goanalysis "golang.org/x/tools/go/analysis"
)

// Analyzer is the ctxcheck analyzer, with suggested fixes
// (see fix.go). The public path for it is rewrite/ctxcheck.
var Analyzer = newAnalyzer(true)

// gate is the analyzer smartmigrate check runs: the same findings, with
// no fixes (the command prints none, and each fix rewrites files).
var gate = newAnalyzer(false)

// doc is the analyzer's documentation.
const doc = `report functions that block without taking a context.Context

A function blocks when it calls a sink (a call with a context-aware form:
http.Get, (*sql.DB).Query, exec.Command, any X with a sibling XContext, a
context.Background() that is not returned) or a function of the same module
that blocks. The finding names the sink reached and the ctx form to add:
FooContext(ctx context.Context, ...) for exported functions of importable
packages, ctx as the first parameter for the rest.

A finding has a suggested fix, the edit smartmigrate apply would make:
FooContext is added after Foo, which becomes its shim; or ctx becomes the
first parameter and the calls in the same package pass a context (the
caller's ctx, r.Context(), t.Context(), else context.TODO()). An analyzer
sees one package: there is no fix where it could not compile (an in-place
function other packages may call, or that a file excluded by build
constraints names); smartmigrate apply migrates those.`

func newAnalyzer(fixes bool) *goanalysis.Analyzer {
	return &goanalysis.Analyzer{
		Name: "ctxcheck",
		Doc:  doc,
		URL:  "https://github.com/smartmigrate/smartmigrate#ci-gate",
		Run: func(pass *goanalysis.Pass) (any, error) {
			return run(pass, fixes)
		},
		FactTypes:  []goanalysis.Fact{new(isBlocking)},
		ResultType: reflect.TypeFor[[]Report](),
		// Packages outside the module (the standard library, loaded with
		// function bodies stripped by smartmigrate check) are skipped
		// before anything is read, so type errors there must not stop the
		// analysis.
		RunDespiteErrors: true,
	}
}

// Report is one finding as values: the analyzer's result, which
// smartmigrate check reads instead of the diagnostic's prose.
type Report struct {
	// Pos is the function name's position.
	Pos token.Pos
	// Func is the function's name, Via the operation it reaches.
	Func string
	Via  analysis.Via
	// Kind is how the migration gives it a context.
	Kind analysis.Kind
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

func run(pass *goanalysis.Pass, fixes bool) (any, error) {
	mod, goVersion := "", ""
	if pass.Module != nil {
		mod, goVersion = pass.Module.Path, pass.Module.GoVersion
	}
	if !analysis.IsModulePath(pass.Pkg.Path(), mod) {
		return []Report(nil), nil
	}
	md := analysis.PackageModel(analysis.PackageInput{
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
	var reports []Report
	for _, f := range md.Funcs {
		if !f.Blocking {
			continue
		}
		if exportsFact(f) {
			pass.ExportObjectFact(f.Obj, &isBlocking{analysis.FactOf(f)})
		}
		if !Reported(f) {
			continue
		}
		d := goanalysis.Diagnostic{Pos: f.Pos, End: f.Decl.Name.End(), Category: Category, Message: Message(f)}
		if fixes {
			d.SuggestedFixes = suggestedFixes(pass, md, f)
		}
		pass.Report(d)
		reports = append(reports, Report{Pos: f.Pos, Func: f.Name, Via: f.Via, Kind: f.Kind})
	}
	return reports, nil
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
func Message(f *analysis.Func) string { return message(f.Name, f.Via, f.Suggestion()) }

// message is the finding for the function name that blocks via via
// without a context, and the change to make.
func message(name string, via analysis.Via, advice string) string {
	return fmt.Sprintf("%s blocks (%s) without a context.Context: add %s", name, via, advice)
}
