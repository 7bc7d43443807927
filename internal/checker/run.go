package checker

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/load"
	goanalysis "golang.org/x/tools/go/analysis"
	driver "golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"
)

// Finding is one function that blocks without a context.
type Finding struct {
	// File is relative to the folder check ran in; Line and Col are the
	// function name's.
	File string
	Line int
	Col  int
	// Func is the function's name ("Fetch"); Message the whole finding.
	Func    string
	Message string
	// Kind is the change the finding advises: "sibling" (add FooContext,
	// keep Foo as its shim) or "in-place" (ctx as the first parameter).
	Kind analysis.Kind
	// New is true when the whole function was added since the --since
	// ref: it has no callers to keep, so the advice is in place.
	New bool
	// StartLine and EndLine are the declaration's lines, from its func
	// keyword to its closing brace: what --since compares with the diff.
	StartLine int
	EndLine   int

	abs    string       // absolute file name
	inRoot string       // the file relative to the module root
	via    analysis.Via // the operation reached
}

func (f Finding) String() string {
	return fmt.Sprintf("%s:%d:%d: %s", f.File, f.Line, f.Col, f.Message)
}

// Path is the finding's absolute file name.
func (f Finding) Path() string { return f.abs }

// Check loads the packages matching patterns (relative to dir, "./..."
// when none) of the module that holds dir, runs the analyzer over them and
// returns its findings sorted by position. Test files are not loaded:
// nothing in them is reported.
func Check(ctx context.Context, dir string, patterns ...string) ([]Finding, error) {
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	root, err := load.FindRoot(absDir)
	if err != nil {
		return nil, err
	}
	graph, err := analyze(ctx, absDir, patterns)
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, act := range roots(graph) {
		if act.Err != nil {
			return nil, fmt.Errorf("%s: %w", act.Package.PkgPath, act.Err)
		}
		reports, _ := act.Result.([]Report)
		for _, r := range reports {
			f := finding(act.Package, r, absDir)
			f.inRoot = rel(root, f.abs)
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return out, nil
}

// analyze loads the packages and runs the analyzer over them.
func analyze(ctx context.Context, absDir string, patterns []string) (*driver.Graph, error) {
	root, err := load.FindRoot(absDir)
	if err != nil {
		return nil, err
	}
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	fset := token.NewFileSet()
	cfg := &packages.Config{
		Context: ctx,
		Mode:    packages.LoadAllSyntax | packages.NeedModule | packages.NeedForTest,
		// Tests count: a function a test uses as a value keeps its sync
		// form (a sibling ctx form), as the migration decides; nothing in
		// a test file is reported.
		Tests: true,
		Dir:   absDir,
		Fset:  fset,
		// The analyzer reads no function body outside the module (it
		// returns at once for the standard library and other modules), so
		// those bodies are dropped: type-checking them is most of the
		// load's time. The type errors this makes there (unused imports)
		// are why Analyzer runs despite errors.
		ParseFile: func(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
			f, err := parser.ParseFile(fset, filename, src, parser.ParseComments|parser.SkipObjectResolution)
			if f != nil && !within(root, filename) {
				for _, d := range f.Decls {
					if fd, ok := d.(*ast.FuncDecl); ok {
						fd.Body = nil
					}
				}
			}
			return f, err
		},
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", strings.Join(patterns, " "), err)
	}
	// The generated test mains are not the module's (and their bodies
	// were dropped above).
	pkgs = slices.DeleteFunc(pkgs, func(p *packages.Package) bool { return strings.HasSuffix(p.ID, ".test") })
	if err := load.Errors(pkgs, patterns, absDir); err != nil {
		return nil, err
	}
	return driver.Analyze([]*goanalysis.Analyzer{gate}, pkgs, nil)
}

// roots are the analysed packages, one variant of each: the test variant
// of a package that has tests (it holds the package's files and its tests),
// else the package; external test packages hold only tests.
func roots(g *driver.Graph) []*driver.Action {
	tested := map[string]bool{}
	for _, act := range g.Roots {
		if act.Package.ForTest != "" {
			tested[act.Package.PkgPath] = true
		}
	}
	var out []*driver.Action
	for _, act := range g.Roots {
		p := act.Package
		if p.ForTest == "" && tested[p.PkgPath] {
			continue
		}
		out = append(out, act)
	}
	return out
}

// finding turns a report into a Finding with its function's lines.
func finding(pkg *packages.Package, r Report, dir string) Finding {
	p := analysis.ShownPosition(pkg.Fset, r.Pos, dir)
	f := Finding{File: rel(dir, p.Filename), Line: p.Line, Col: p.Column, Func: r.Func, Kind: r.Kind, StartLine: p.Line, EndLine: p.Line, abs: p.Filename, via: r.Via}
	f.Message = f.message()
	for _, file := range pkg.Syntax {
		if file.Pos() > r.Pos || r.Pos >= file.End() {
			continue
		}
		for _, decl := range file.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Name.Pos() == r.Pos {
				f.StartLine = pkg.Fset.Position(fd.Pos()).Line
				f.EndLine = pkg.Fset.Position(fd.End()).Line
			}
		}
	}
	return f
}

// message is the finding's message, with the advice its Kind calls for
// (in place for a new function, see Changes.Filter).
func (f Finding) message() string {
	return message(f.Func, f.via, analysis.Advice(f.Kind, f.Func))
}

// rel is file relative to dir when it is below dir, else file.
func rel(dir, file string) string {
	if r, err := filepath.Rel(dir, file); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return file
}

// within reports whether file is below dir.
func within(dir, file string) bool {
	return strings.HasPrefix(file, dir+string(filepath.Separator))
}
