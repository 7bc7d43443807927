package checker

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/load"
	goanalysis "golang.org/x/tools/go/analysis"
	driver "golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"
)

// Finding is one function that blocks without a context.
type Finding struct {
	// File is relative to the folder check ran in; Line and Col are the
	// function name's.
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
	// Func is the function's name ("Fetch"); Message the whole finding.
	Func    string `json:"func"`
	Message string `json:"message"`
	// StartLine and EndLine are the declaration's lines, from its func
	// keyword to its closing brace: what --since compares with the diff.
	StartLine int `json:"startLine"`
	EndLine   int `json:"endLine"`

	abs string // absolute file name
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
func Check(dir string, patterns ...string) ([]Finding, error) {
	root, err := load.FindRoot(dir)
	if err != nil {
		return nil, err
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	fset := token.NewFileSet()
	cfg := &packages.Config{
		Mode: packages.LoadAllSyntax | packages.NeedModule,
		Dir:  absDir,
		Fset: fset,
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
	if err := loadErrors(pkgs, patterns, root, absDir); err != nil {
		return nil, err
	}
	graph, err := driver.Analyze([]*goanalysis.Analyzer{Analyzer}, pkgs, nil)
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, act := range graph.Roots {
		if act.Err != nil {
			return nil, fmt.Errorf("%s: %w", act.Package.PkgPath, act.Err)
		}
		for _, d := range act.Diagnostics {
			out = append(out, finding(act.Package, d, absDir))
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

// finding turns a diagnostic into a Finding with its function's lines.
func finding(pkg *packages.Package, d goanalysis.Diagnostic, dir string) Finding {
	p := pkg.Fset.Position(d.Pos)
	f := Finding{File: rel(dir, p.Filename), Line: p.Line, Col: p.Column, Message: d.Message, StartLine: p.Line, EndLine: p.Line, abs: p.Filename}
	for _, file := range pkg.Syntax {
		if file.Pos() > d.Pos || d.Pos >= file.End() {
			continue
		}
		for _, decl := range file.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Name.Pos() == d.Pos {
				f.Func = fd.Name.Name
				f.StartLine = pkg.Fset.Position(fd.Pos()).Line
				f.EndLine = pkg.Fset.Position(fd.End()).Line
			}
		}
	}
	return f
}

// loadErrors reports a pattern that matched nothing, then type errors in
// the module's packages as a *load.Error with positions relative to dir,
// the way internal/load reports them for plan.
func loadErrors(pkgs []*packages.Package, patterns []string, root, dir string) error {
	var listMsgs []string
	typeErrors := false
	for _, p := range pkgs {
		for _, e := range p.Errors {
			typeErrors = typeErrors || e.Kind != packages.ListError
			if e.Kind == packages.ListError && len(p.GoFiles) == 0 && len(p.CompiledGoFiles) == 0 {
				listMsgs = append(listMsgs, e.Msg)
			}
		}
	}
	if len(listMsgs) > 0 || len(pkgs) == 0 {
		msg := fmt.Sprintf("pattern %s matched no packages in %s", strings.Join(patterns, " "), root)
		if len(listMsgs) > 0 {
			msg += ": " + strings.Join(listMsgs, "; ")
		}
		return errors.New(msg)
	}
	var msgs []string
	seen := map[string]bool{}
	for _, p := range pkgs {
		for _, e := range p.Errors {
			// The go command's own compile report ("# pkg" and the same
			// errors) repeats what the type checker says.
			if typeErrors && e.Kind == packages.ListError && strings.HasPrefix(e.Msg, "# ") {
				continue
			}
			msg := e.Msg
			if e.Pos != "" && e.Pos != "-" {
				msg = relPos(dir, e.Pos) + ": " + e.Msg
			}
			if !seen[msg] {
				seen[msg] = true
				msgs = append(msgs, msg)
			}
		}
	}
	if len(msgs) > 0 {
		return &load.Error{Messages: msgs}
	}
	return nil
}

// relPos shortens the file of a "file:line:col" position.
func relPos(dir, pos string) string {
	file, rest := pos, ""
	// The file may hold colons (Windows drives): the line and column are
	// the last two fields.
	for i := 0; i < 2; i++ {
		j := strings.LastIndexByte(file, ':')
		if j < 0 {
			break
		}
		rest = file[j:] + rest
		file = file[:j]
	}
	return rel(dir, file) + rest
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
