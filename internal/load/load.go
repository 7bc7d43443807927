// Package load loads a Go module once, with syntax and types for the
// module's own packages (tests included) and export data for everything it
// imports.
package load

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/smartmigrate/smartmigrate/internal/progress"
	"golang.org/x/mod/modfile"
	"golang.org/x/tools/go/packages"
)

// Mode is the go/packages load mode: syntax and type information for the
// packages named by the patterns, export data for their dependencies.
const Mode = packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
	packages.NeedImports | packages.NeedTypes | packages.NeedTypesSizes |
	packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedModule | packages.NeedForTest

// Module is a loaded module.
type Module struct {
	// Dir is the absolute path of the module root (the folder of go.mod).
	Dir string
	// Path is the module path.
	Path string
	// GoVersion is the go line of go.mod ("1.24"), or "" when it has none.
	GoVersion string
	// Fset holds the positions of every file below.
	Fset *token.FileSet
	// Packages are the module's packages, one per package clause: the
	// test variant of a package when it has tests (it holds the package's
	// files and its in-package test files), the external test package, never
	// the generated test main. Sorted by import path.
	Packages []*packages.Package
	// Ignored are the files of the module's packages that the current build
	// constraints exclude (x_windows.go on linux), parsed without types.
	Ignored []IgnoredFile
	// Broken are the packages a Partial load left out, or kept without
	// their test files, because they do not type-check.
	Broken []Broken
	// Loaded are the packages go/packages returned for the patterns:
	// every variant (the plain package beside its test variant, the
	// generated test main), the broken ones too. Their Imports reach the
	// rest of what was loaded; incremental verification starts there.
	Loaded []*packages.Package
}

// Broken is a package (or a package's tests) that does not type-check.
type Broken struct {
	// ID is the package as go/packages names it: "example.com/m/p",
	// "example.com/m/p [example.com/m/p.test]" for its tests.
	ID string
	// TestsOnly is true when the package is kept without its test files.
	TestsOnly bool
	// Messages are its errors, "file:line:col: msg".
	Messages []string
}

// IgnoredFile is a file of a package that the build constraints exclude.
type IgnoredFile struct {
	// Package is the loaded package the file belongs to.
	Package *packages.Package
	// Path is the absolute file name.
	Path string
	// Syntax is the parsed file, positions in Module.Fset.
	Syntax *ast.File
}

// Error is a load failure: a list of messages, each with its position.
type Error struct {
	// Messages are "file:line:col: msg" lines, in the order go/packages
	// reported them.
	Messages []string
}

// InputError is a folder or a pattern that names no module or package:
// what the user asked for is at fault (a usage error).
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

// MaxShown bounds how many messages Error prints.
const MaxShown = 5

func (e *Error) Error() string {
	shown := e.Messages
	more := ""
	if len(shown) > MaxShown {
		more = fmt.Sprintf("\n(and %d more errors)", len(shown)-MaxShown)
		shown = shown[:MaxShown]
	}
	return strings.Join(shown, "\n") + more
}

// FindRoot returns the folder of the go.mod that governs dir.
func FindRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if fi, err := os.Stat(abs); err != nil {
		return "", &InputError{Msg: fmt.Sprintf("%s: %v", dir, errors.Unwrap(err))}
	} else if !fi.IsDir() {
		return "", &InputError{Msg: dir + ": not a directory"}
	}
	for d := abs; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			if err := workspaceRoot(abs); err != nil {
				return "", err
			}
			return "", &InputError{Msg: abs + " is not inside a Go module (no go.mod here or in any parent folder)"}
		}
		d = parent
	}
}

// Options say how to load.
type Options struct {
	// Progress, when set, says that packages are loading and how many
	// loaded in how long.
	Progress *progress.Printer
	// What names the load in progress lines ("the rewritten copy"); ""
	// says nothing more than "packages".
	What string
	// Partial keeps going without the packages that do not type-check
	// (Module.Broken says which and why) instead of failing: a package
	// whose test files do not type-check is kept without them. The load
	// still fails when no package is left.
	Partial bool
}

// Load loads the packages matching patterns (relative to dir, "./..." when
// none) of the module that holds dir. When ctx is done, the load (and the
// go command it runs) stops, and the error wraps ctx's.
func Load(ctx context.Context, dir string, patterns ...string) (*Module, error) {
	return LoadWith(ctx, Options{}, dir, patterns...)
}

// LoadWith is Load with progress.
func LoadWith(ctx context.Context, o Options, dir string, patterns ...string) (*Module, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	root, err := FindRoot(dir)
	if err != nil {
		return nil, err
	}
	gomod := filepath.Join(root, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", gomod, err)
	}
	mf, err := modfile.ParseLax(gomod, data, nil)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", gomod, err)
	}
	if mf.Module == nil {
		return nil, fmt.Errorf("%s: no module line", gomod)
	}
	m := &Module{Dir: root, Path: mf.Module.Mod.Path, Fset: token.NewFileSet()}
	if mf.Go != nil {
		m.GoVersion = mf.Go.Version
	}
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	absDir, _ := filepath.Abs(dir)
	start := time.Now()
	what := "packages"
	if o.What != "" {
		what = o.What
	}
	seen := newParseCounter(o.Progress != nil, root)
	stop := o.Progress.Live(func() string { return seen.text("loading " + what) })
	cfg := &packages.Config{
		Context: ctx,
		Mode:    Mode,
		Dir:     absDir,
		Tests:   true,
		Fset:    m.Fset,
		ParseFile: func(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
			seen.parsed(filename)
			return parser.ParseFile(fset, filename, src, parser.ParseComments|parser.SkipObjectResolution)
		},
	}
	pkgs, err := packages.Load(cfg, patterns...)
	stop()
	if cerr := ctx.Err(); cerr != nil {
		// The go command was killed: its complaint says less than this.
		return nil, fmt.Errorf("load %s: %w", strings.Join(patterns, " "), cerr)
	}
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", strings.Join(patterns, " "), err)
	}
	m.Packages, m.Loaded = selectVariants(pkgs), pkgs
	if o.Partial {
		// With nothing left, the errors below say why.
		if ok, broken := leaveOutBroken(pkgs, m.Packages, absDir); len(ok) > 0 {
			m.Packages, m.Broken = ok, broken
		}
	}
	if o.What != "" {
		o.Progress.Printf("loaded %d %s of %s in %s", len(m.Packages), plural(len(m.Packages), "package", "packages"), o.What, progress.Round(time.Since(start)))
	} else {
		o.Progress.Printf("loaded %d %s in %s", len(m.Packages), plural(len(m.Packages), "package", "packages"), progress.Round(time.Since(start)))
	}
	if err := patternErrors(m.Packages, patterns); err != nil {
		return nil, err
	}
	if len(m.Packages) == 0 {
		return nil, &InputError{Msg: fmt.Sprintf("pattern %s matched no packages in %s", strings.Join(patterns, " "), root)}
	}
	if err := packageErrors(m.Packages, absDir); err != nil {
		return nil, err
	}
	m.Ignored = parseIgnored(m)
	return m, nil
}

// leaveOutBroken splits the selected packages into those that
// type-check and the broken ones: a test variant with errors is replaced
// by its plain package when that one has none; other packages with errors
// are dropped.
func leaveOutBroken(all, selected []*packages.Package, dir string) ([]*packages.Package, []Broken) {
	plain := map[string]*packages.Package{}
	for _, p := range all {
		if p.ForTest == "" && !strings.HasSuffix(p.PkgPath, ".test") {
			plain[p.PkgPath] = p
		}
	}
	var ok []*packages.Package
	var broken []Broken
	for _, p := range selected {
		err := packageErrors([]*packages.Package{p}, dir)
		if err == nil {
			ok = append(ok, p)
			continue
		}
		var msgs []string
		if le, isLoad := err.(*Error); isLoad {
			msgs = le.Messages
		}
		b := Broken{ID: p.ID, Messages: msgs}
		if q := plain[p.PkgPath]; p.ForTest == p.PkgPath && q != nil && len(q.Errors) == 0 {
			b.TestsOnly = true
			ok = append(ok, q)
		}
		broken = append(broken, b)
	}
	return ok, broken
}

// String is the broken package for people, with its first error.
func (b Broken) String() string {
	what := "package " + b.ID + " left out: it does not type-check"
	if b.TestsOnly {
		pkg, _, _ := strings.Cut(b.ID, " ")
		what = "the test files of " + pkg + " left out: they do not type-check"
	}
	if len(b.Messages) > 0 {
		what += ": " + b.Messages[0]
		if len(b.Messages) > 1 {
			what += fmt.Sprintf(" (and %d more)", len(b.Messages)-1)
		}
	}
	return what
}

// selectVariants keeps one package per package clause: the in-package test
// variant instead of the plain package, and external test packages; it
// drops generated test mains and packages recompiled for another
// package's tests.
func selectVariants(pkgs []*packages.Package) []*packages.Package {
	hasTestVariant := map[string]bool{}
	for _, p := range pkgs {
		if p.ForTest == p.PkgPath && p.ForTest != "" {
			hasTestVariant[p.PkgPath] = true
		}
	}
	var out []*packages.Package
	for _, p := range pkgs {
		switch {
		case p.Name == "main" && strings.HasSuffix(p.PkgPath, ".test") && p.ForTest == "":
			continue // generated test main
		case p.ForTest == "":
			if hasTestVariant[p.PkgPath] {
				continue
			}
		case p.ForTest == p.PkgPath, p.PkgPath == p.ForTest+"_test":
		default:
			continue // recompiled for another package's tests
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PkgPath < out[j].PkgPath })
	return out
}

// Errors reports what went wrong loading pkgs: patterns that matched
// nothing as one error, else the packages' errors as an *Error with
// positions relative to dir, else nil. Other loaders of the module (the
// checker) use it so that every command reports bad input alike.
func Errors(pkgs []*packages.Package, patterns []string, dir string) error {
	if err := patternErrors(pkgs, patterns); err != nil {
		return err
	}
	if len(pkgs) == 0 {
		return &InputError{Msg: fmt.Sprintf("pattern %s matched no packages in %s", strings.Join(patterns, " "), dir)}
	}
	return packageErrors(pkgs, dir)
}

// patternErrors reports packages that exist only to carry the go
// command's complaint about a pattern (a folder that does not exist, a
// path no module provides) as one error naming the patterns.
func patternErrors(pkgs []*packages.Package, patterns []string) error {
	var msgs []string
	for _, p := range pkgs {
		if len(p.GoFiles) > 0 || len(p.CompiledGoFiles) > 0 || len(p.Errors) == 0 {
			continue
		}
		for _, e := range p.Errors {
			if e.Kind == packages.ListError {
				msgs = append(msgs, e.Msg)
			}
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return &InputError{Msg: fmt.Sprintf("pattern %s matched no packages: %s", strings.Join(patterns, " "), strings.Join(msgs, "; "))}
}

// packageErrors reports the module packages' errors as positioned lines,
// with file names relative to dir where they are below it.
func packageErrors(pkgs []*packages.Package, dir string) error {
	var msgs []string
	seen := map[string]bool{}
	// The go command's own compile report ("# pkg" and the same errors)
	// repeats what the type checker says, with worse positions.
	typeErrors := false
	for _, p := range pkgs {
		for _, e := range p.Errors {
			typeErrors = typeErrors || e.Kind != packages.ListError
		}
	}
	for _, p := range pkgs {
		for _, e := range p.Errors {
			if typeErrors && e.Kind == packages.ListError && strings.HasPrefix(e.Msg, "# ") {
				continue
			}
			msg := e.Msg
			if e.Pos != "" && e.Pos != "-" {
				pos := e.Pos
				if rel, err := filepath.Rel(dir, pos); err == nil && !strings.HasPrefix(rel, "..") {
					pos = rel
				}
				msg = pos + ": " + e.Msg
			}
			if !seen[msg] {
				seen[msg] = true
				msgs = append(msgs, msg)
			}
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return &Error{Messages: msgs}
}

// parseIgnored parses the files that build constraints exclude from the
// module's packages, keeping those whose package clause matches.
func parseIgnored(m *Module) []IgnoredFile {
	var out []IgnoredFile
	seen := map[string]bool{}
	for _, p := range m.Packages {
		for _, name := range p.IgnoredFiles {
			if seen[name] || !strings.HasSuffix(name, ".go") {
				continue
			}
			seen[name] = true
			f, err := parser.ParseFile(m.Fset, name, nil, parser.ParseComments|parser.SkipObjectResolution)
			if err != nil || f.Name.Name != p.Name {
				continue
			}
			if isIgnoreTagged(f) {
				continue
			}
			out = append(out, IgnoredFile{Package: p, Path: name, Syntax: f})
		}
	}
	return out
}

// isIgnoreTagged reports whether f carries "//go:build ignore", the
// convention for files that are never part of the package.
func isIgnoreTagged(f *ast.File) bool {
	for _, cg := range f.Comments {
		if cg.Pos() > f.Package {
			break
		}
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//go:build") && strings.Contains(c.Text, "ignore") {
				return true
			}
		}
	}
	return false
}

// Rel returns name relative to the module root, slash-separated.
func (m *Module) Rel(name string) string {
	if rel, err := filepath.Rel(m.Dir, name); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(name)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
