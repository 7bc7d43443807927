package verify

import (
	"fmt"
	"path/filepath"

	"github.com/smartmigrate/smartmigrate/internal/load"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/analysis/passes/appends"
	"golang.org/x/tools/go/analysis/passes/asmdecl"
	"golang.org/x/tools/go/analysis/passes/assign"
	"golang.org/x/tools/go/analysis/passes/atomic"
	"golang.org/x/tools/go/analysis/passes/bools"
	"golang.org/x/tools/go/analysis/passes/buildtag"
	"golang.org/x/tools/go/analysis/passes/cgocall"
	"golang.org/x/tools/go/analysis/passes/composite"
	"golang.org/x/tools/go/analysis/passes/copylock"
	"golang.org/x/tools/go/analysis/passes/defers"
	"golang.org/x/tools/go/analysis/passes/directive"
	"golang.org/x/tools/go/analysis/passes/errorsas"
	"golang.org/x/tools/go/analysis/passes/framepointer"
	"golang.org/x/tools/go/analysis/passes/hostport"
	"golang.org/x/tools/go/analysis/passes/httpresponse"
	"golang.org/x/tools/go/analysis/passes/ifaceassert"
	"golang.org/x/tools/go/analysis/passes/loopclosure"
	"golang.org/x/tools/go/analysis/passes/lostcancel"
	"golang.org/x/tools/go/analysis/passes/nilfunc"
	"golang.org/x/tools/go/analysis/passes/printf"
	"golang.org/x/tools/go/analysis/passes/shift"
	"golang.org/x/tools/go/analysis/passes/sigchanyzer"
	"golang.org/x/tools/go/analysis/passes/slog"
	"golang.org/x/tools/go/analysis/passes/stdmethods"
	"golang.org/x/tools/go/analysis/passes/stdversion"
	"golang.org/x/tools/go/analysis/passes/stringintconv"
	"golang.org/x/tools/go/analysis/passes/structtag"
	"golang.org/x/tools/go/analysis/passes/testinggoroutine"
	"golang.org/x/tools/go/analysis/passes/tests"
	"golang.org/x/tools/go/analysis/passes/timeformat"
	"golang.org/x/tools/go/analysis/passes/unmarshal"
	"golang.org/x/tools/go/analysis/passes/unreachable"
	"golang.org/x/tools/go/analysis/passes/unsafeptr"
	"golang.org/x/tools/go/analysis/passes/unusedresult"
	"golang.org/x/tools/go/analysis/passes/waitgroup"
	"golang.org/x/tools/go/packages"
)

// VetSuite is the analyzers go vet runs (cmd/vet's list, in its order).
var VetSuite = []*analysis.Analyzer{
	appends.Analyzer, asmdecl.Analyzer, assign.Analyzer, atomic.Analyzer, bools.Analyzer,
	buildtag.Analyzer, cgocall.Analyzer, composite.Analyzer, copylock.Analyzer, defers.Analyzer,
	directive.Analyzer, errorsas.Analyzer, framepointer.Analyzer, httpresponse.Analyzer,
	hostport.Analyzer, ifaceassert.Analyzer, loopclosure.Analyzer, lostcancel.Analyzer,
	nilfunc.Analyzer, printf.Analyzer, shift.Analyzer, sigchanyzer.Analyzer, slog.Analyzer,
	stdmethods.Analyzer, stdversion.Analyzer, stringintconv.Analyzer, structtag.Analyzer,
	tests.Analyzer, testinggoroutine.Analyzer, timeformat.Analyzer, unmarshal.Analyzer,
	unreachable.Analyzer, unsafeptr.Analyzer, unusedresult.Analyzer, waitgroup.Analyzer,
}

// vetViews are the packages the analyzers see: module packages whose
// Imports hold only the module's packages (facts flow between those;
// the loaded export data of other packages has no syntax to analyse).
type vetViews struct {
	mod   *load.Module
	views map[*packages.Package]*packages.Package
	inMod func(*packages.Package) bool
}

// view is p as the analyzers see it.
func (v *vetViews) view(p *packages.Package) *packages.Package {
	if w, ok := v.views[p]; ok {
		return w
	}
	w := *p
	w.Imports = map[string]*packages.Package{}
	v.views[p] = &w
	for path, ip := range p.Imports {
		if v.inMod(ip) && ip.Syntax != nil && !ip.IllTyped {
			w.Imports[path] = v.view(ip)
		}
	}
	return &w
}

// vetInProcess runs VetSuite on before and after together (packages
// they share are analysed once) and returns the findings on each.
func vetInProcess(v *vetViews, before, after []*packages.Package) (was, is []finding, err error) {
	var roots []*packages.Package
	side := map[*packages.Package]*[]finding{}
	for _, p := range before {
		w := v.view(p)
		roots, side[w] = append(roots, w), &was
	}
	for _, p := range after {
		w := v.view(p)
		roots, side[w] = append(roots, w), &is
	}
	if len(roots) == 0 {
		return nil, nil, nil
	}
	g, err := checker.Analyze(VetSuite, roots, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("vet analyzers: %w", err)
	}
	for _, act := range g.Roots {
		if act.Err != nil && !act.Package.IllTyped {
			return nil, nil, fmt.Errorf("vet %s: %s: %w", act.Package.ID, act.Analyzer.Name, act.Err)
		}
		out := side[act.Package]
		for _, d := range act.Diagnostics {
			*out = append(*out, v.finding(act.Analyzer.Name, act.Package, d))
		}
	}
	return was, is, nil
}

// finding is d of analyzer name as go vet's findings are keyed.
func (v *vetViews) finding(name string, p *packages.Package, d analysis.Diagnostic) finding {
	pos := p.Fset.Position(d.Pos)
	file := v.mod.Rel(pos.Filename)
	if !filepath.IsAbs(pos.Filename) {
		file = filepath.ToSlash(pos.Filename)
	}
	return finding{key: file + "\x00" + name + "\x00" + d.Message, pos: fmt.Sprintf("%s:%d:%d: %s (%s)", file, pos.Line, pos.Column, d.Message, name)}
}
