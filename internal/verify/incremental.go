package verify

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/patch"
	"golang.org/x/tools/go/gcexportdata"
	"golang.org/x/tools/go/packages"
)

// The in-process verification type-checks, with go/types, only the
// packages a phase changes and the module's packages that import them
// (every variant go/packages loaded: the package, its test variant, the
// external test package and the packages recompiled for another
// package's tests), against the types already loaded for everything
// else. Nothing is copied or written.

// needsCopy is a phase the in-process checks cannot judge (a new
// package, a changed go.mod): it is verified on a copy instead.
type needsCopy struct{ why string }

func (e *needsCopy) Error() string { return e.why }

// incremental is one phase type-checked against the module as loaded.
type incremental struct {
	old *load.Module
	// files are the phase's changes; contents their new content by
	// absolute name, nil for deleted.
	files    []patch.FileChange
	contents map[string][]byte
	// added are the phase's new files, by the loaded package they join.
	added map[*packages.Package][]string
	// syntax are the files parsed by the load, by absolute name.
	syntax map[string]*ast.File
	// stale says which module packages must be checked again.
	stale map[*packages.Package]bool
	// checked maps a loaded package to the one checked again (itself
	// when it is not stale).
	checked map[*packages.Package]*packages.Package
	// byPath are the packages outside the module, by path, for imports
	// that the phase adds.
	byPath map[string]*types.Package
	// errors are the type errors found, "file:line:col: msg", by
	// package ID.
	errors map[string][]string
	ctx    context.Context
	// mayKeep lets importers of the changed packages stand as loaded
	// when the phase cannot change how they compile; kept are those.
	mayKeep bool
	kept    []*packages.Package
	// viaVariant are the plain packages of changed folders that only
	// their test variants stand for in the checks (see covered); they
	// are kept too, unless the importers are checked again.
	viaVariant map[*packages.Package]bool
	// released is set once the type information of the packages
	// checked again is emptied in old (see releaseOld).
	released bool
	// mu guards checked and errors while packages are checked in
	// parallel; importMu guards byPath and the export data read into it.
	mu, importMu sync.Mutex
}

// checkIncremental type-checks the phase's packages and those that
// import them (with mayKeep, only those importers that the checks need
// or whose compilation the phase may change); it returns the module with
// the checked packages in place of the loaded ones.
func checkIncremental(ctx context.Context, old *load.Module, files []patch.FileChange, mayKeep bool) (*incremental, error) {
	s := &incremental{old: old, files: files, mayKeep: mayKeep, contents: map[string][]byte{}, added: map[*packages.Package][]string{},
		syntax: map[string]*ast.File{}, stale: map[*packages.Package]bool{}, checked: map[*packages.Package]*packages.Package{},
		byPath: map[string]*types.Package{}, errors: map[string][]string{}, viaVariant: map[*packages.Package]bool{}, ctx: ctx}
	for _, f := range files {
		if !strings.HasSuffix(f.Path, ".go") {
			return nil, &needsCopy{why: f.Path + " is not a Go file"}
		}
		s.contents[filepath.Join(old.Dir, filepath.FromSlash(f.Path))] = f.New
	}
	nodes := s.moduleNodes()
	if err := s.placeNew(files, nodes); err != nil {
		return nil, err
	}
	for _, n := range nodes {
		s.markStale(n)
	}
	if err := s.checkAll(); err != nil {
		return nil, err
	}
	for n, c := range s.checked {
		if c != n && !s.inModule(c) {
			// Only its types serve from now on: nothing analyses a
			// package outside the module.
			c.Syntax, c.TypesInfo = nil, nil
		}
	}
	return s, nil
}

// moduleNodes walks the loaded import graph from the module's packages
// and returns every package of the module in it, in a stable order; it
// fills s.syntax and s.byPath on the way.
func (s *incremental) moduleNodes() []*packages.Package {
	seen := map[*packages.Package]bool{}
	var nodes []*packages.Package
	var walk func(p *packages.Package)
	walk = func(p *packages.Package) {
		if seen[p] {
			return
		}
		seen[p] = true
		if !s.inModule(p) {
			s.addTypes(p.Types)
			return
		}
		nodes = append(nodes, p)
		for i, f := range p.Syntax {
			if i < len(p.CompiledGoFiles) {
				s.syntax[p.CompiledGoFiles[i]] = f
			}
		}
		for _, ip := range p.Imports {
			walk(ip)
		}
	}
	for _, p := range s.old.Loaded {
		walk(p)
	}
	for _, p := range s.old.Packages {
		walk(p)
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].ID < nodes[j].ID })
	return nodes
}

// addTypes adds a package from outside the module, and what it imports,
// to s.byPath: the export data go/packages read shares one package per
// path, complete or not, and an import the phase adds must share it too.
func (s *incremental) addTypes(p *types.Package) {
	if p == nil || s.byPath[p.Path()] != nil {
		return
	}
	if p.Path() == s.old.Path || strings.HasPrefix(p.Path(), s.old.Path+"/") {
		return
	}
	s.byPath[p.Path()] = p
	for _, ip := range p.Imports() {
		s.addTypes(ip)
	}
}

// inModule reports whether p is a package of the module.
func (s *incremental) inModule(p *packages.Package) bool {
	if p.Module != nil {
		return p.Module.Path == s.old.Path && p.Module.Main
	}
	return p.PkgPath == s.old.Path || strings.HasPrefix(p.PkgPath, s.old.Path+"/")
}

// placeNew finds, for every file the phase creates, the loaded packages
// it joins: by folder, package clause and whether it is a test file.
func (s *incremental) placeNew(files []patch.FileChange, nodes []*packages.Package) error {
	for _, f := range files {
		if f.Old != nil || f.New == nil {
			continue
		}
		name := filepath.Join(s.old.Dir, filepath.FromSlash(f.Path))
		ok, err := matchFile(name, f.New)
		if err != nil || !ok {
			continue // excluded by its build constraints, as go list would
		}
		clause, err := parser.ParseFile(token.NewFileSet(), name, f.New, parser.PackageClauseOnly)
		if err != nil {
			return &needsCopy{why: f.Path + " does not parse"}
		}
		joined := 0
		for _, n := range nodes {
			if joins(n, name, clause.Name.Name) {
				s.added[n] = append(s.added[n], name)
				joined++
			}
		}
		if joined == 0 {
			return &needsCopy{why: f.Path + " starts a package the module does not have yet"}
		}
	}
	return nil
}

// joins reports whether a new file name with package clause pkg belongs
// to the loaded package n.
func joins(n *packages.Package, name, pkg string) bool {
	if len(n.CompiledGoFiles) == 0 || filepath.Dir(n.CompiledGoFiles[0]) != filepath.Dir(name) || n.Name != pkg {
		return false
	}
	if !strings.HasSuffix(name, "_test.go") {
		return true
	}
	// An in-package test file joins the test variant; an external one
	// (package p_test) its own package.
	return n.ForTest != "" && (n.ForTest == n.PkgPath || strings.HasSuffix(n.PkgPath, "_test"))
}

// matchFile reports whether the build constraints of the file name with
// contents src hold for this build, as go list decides.
func matchFile(name string, src []byte) (bool, error) {
	ctxt := build.Default
	ctxt.OpenFile = func(string) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(string(src))), nil }
	return ctxt.MatchFile(filepath.Dir(name), filepath.Base(name))
}

// markStale reports whether the package n must be checked again: it is
// a module package that holds a changed file, or it imports one that
// must. A package outside the module can: a module the module's tests
// import may import the module back (nats.go's tests import
// nats-server, which imports nats.go), and the go command compiles it
// against the module as it stands.
func (s *incremental) markStale(n *packages.Package) bool {
	if v, ok := s.stale[n]; ok {
		return v
	}
	s.stale[n] = false // the import graph has no cycles
	v := s.inModule(n) && s.changes(n)
	for _, ip := range n.Imports {
		if s.markStale(ip) {
			v = true
		}
	}
	s.stale[n] = v
	return v
}

// changes reports whether the phase changes or adds a file of the module
// package n.
func (s *incremental) changes(n *packages.Package) bool {
	if len(s.added[n]) > 0 {
		return true
	}
	for _, f := range n.CompiledGoFiles {
		if _, ok := s.contents[f]; ok {
			return true
		}
	}
	return false
}

// checkAll checks every stale package again once the stale packages it
// imports are, as many at a time as there are CPUs; the others stand as
// loaded. With s.mayKeep, the packages the checks need come first (see
// needed), and the other importers stand as loaded too when the
// changed packages' API cannot change how they compile (see
// keepImporters).
func (s *incremental) checkAll() error {
	rest := map[*packages.Package]bool{}
	for n, stale := range s.stale {
		if stale {
			rest[n] = true
		} else {
			s.checked[n] = n
		}
	}
	if !s.mayKeep {
		return s.checkSet(rest)
	}
	first := s.needed()
	for n := range first {
		delete(rest, n)
	}
	if err := s.checkSet(first); err != nil || len(rest) == 0 {
		return err
	}
	if why := s.keepImporters(first, rest); why != "" {
		return s.checkSet(rest)
	}
	for n := range rest {
		s.checked[n] = n
		if !s.viaVariant[n] {
			s.kept = append(s.kept, n)
		}
	}
	return nil
}

// checkSet checks the packages of set again, each once those of set it
// imports are; every other stale package it imports is checked already.
func (s *incremental) checkSet(set map[*packages.Package]bool) error {
	done := map[*packages.Package]chan struct{}{}
	for n := range set {
		done[n] = make(chan struct{})
	}
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	errs := make(chan error, len(done))
	for n := range done {
		go func() {
			defer close(done[n])
			for _, ip := range n.Imports {
				if d := done[ip]; d != nil {
					<-d
				}
			}
			sem <- struct{}{}
			defer func() { <-sem }()
			c, err := s.check(n)
			if err != nil {
				errs <- err
				return
			}
			s.mu.Lock()
			s.checked[n] = c
			s.mu.Unlock()
		}()
	}
	for _, d := range done {
		<-d
	}
	close(errs)
	return <-errs // nil when there is none
}

// check returns the stale package n checked again, its imports resolved
// to what they are after the phase.
func (s *incremental) check(n *packages.Package) (*packages.Package, error) {
	if err := s.ctx.Err(); err != nil {
		return nil, err
	}
	c := &packages.Package{ID: n.ID, Name: n.Name, PkgPath: n.PkgPath, Dir: n.Dir, ForTest: n.ForTest,
		GoFiles: n.GoFiles, OtherFiles: n.OtherFiles, IgnoredFiles: n.IgnoredFiles, EmbedFiles: n.EmbedFiles,
		Module: n.Module, Fset: s.old.Fset, TypesSizes: n.TypesSizes, Imports: map[string]*packages.Package{}}
	s.mu.Lock()
	for path, ip := range n.Imports {
		c.Imports[path] = s.checked[ip]
	}
	s.mu.Unlock()
	for path, ic := range c.Imports {
		if ic == nil {
			return nil, fmt.Errorf("%s: its import %s was not checked", n.ID, path)
		}
	}
	if err := s.parse(n, c); err != nil {
		return nil, err
	}
	s.typeCheck(c)
	return c, nil
}

// parse gives c the files of n as the phase leaves them: the changed
// ones parsed anew, the others as the load parsed them (or from disk, for
// a package the load took from export data).
func (s *incremental) parse(n, c *packages.Package) error {
	names := append(append([]string{}, n.CompiledGoFiles...), s.added[n]...)
	for _, name := range names {
		src, changed := s.contents[name]
		if changed && src == nil {
			continue // deleted
		}
		f := s.syntax[name]
		if changed || f == nil {
			var err error
			if f, err = s.parseFile(name, src, changed); err != nil {
				return err
			}
		}
		if f == nil {
			continue // did not parse: the error is recorded
		}
		c.CompiledGoFiles = append(c.CompiledGoFiles, name)
		c.Syntax = append(c.Syntax, f)
	}
	return nil
}

// parseFile parses name (src when changed, else from disk) into the
// module's file set, recording syntax errors as type errors of the file.
func (s *incremental) parseFile(name string, src []byte, changed bool) (*ast.File, error) {
	if !changed {
		var err error
		if src, err = os.ReadFile(name); err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
	}
	f, err := parser.ParseFile(s.old.Fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
	var list scanner.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			s.addError(name, s.scanPosition(e.Pos)+": "+e.Msg)
		}
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	return f, nil
}

// typeCheck type-checks c's files, its imports resolved to the packages
// checked again or, for the others, as loaded.
func (s *incremental) typeCheck(c *packages.Package) {
	c.Types = types.NewPackage(c.PkgPath, c.Name)
	c.TypesInfo = &types.Info{
		Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{},
		Implicits: map[ast.Node]types.Object{}, Instances: map[*ast.Ident]types.Instance{}, Scopes: map[ast.Node]*types.Scope{},
		Selections: map[*ast.SelectorExpr]*types.Selection{}, FileVersions: map[*ast.File]string{},
	}
	conf := &types.Config{
		Importer: importerFunc(func(path string) (*types.Package, error) { return s.importFor(c, path) }),
		Sizes:    c.TypesSizes,
		Error: func(err error) {
			var te types.Error
			if errors.As(err, &te) {
				c.TypeErrors = append(c.TypeErrors, te)
				p := s.old.Fset.Position(te.Pos)
				c.Errors = append(c.Errors, packages.Error{Pos: fmt.Sprintf("%s:%d:%d", p.Filename, p.Line, p.Column), Msg: te.Msg, Kind: packages.TypeError})
				s.addError(c.ID, s.position(te.Pos)+": "+te.Msg)
				return
			}
			s.addError(c.ID, err.Error())
		},
	}
	if c.Module != nil && c.Module.GoVersion != "" {
		conf.GoVersion = "go" + c.Module.GoVersion
	}
	_ = types.NewChecker(conf, s.old.Fset, c.Types, c.TypesInfo).Files(c.Syntax)
	c.IllTyped = len(c.TypeErrors) > 0
}

// addError records a type error of the package (or file) id.
func (s *incremental) addError(id, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errors[id] = append(s.errors[id], msg)
}

// importFor resolves an import of c: the package it imported when
// loaded (or its checked version), else a package of the load with that
// path, else the package's export data (an import the phase adds).
func (s *incremental) importFor(c *packages.Package, path string) (*types.Package, error) {
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	if ip := c.Imports[path]; ip != nil && ip.Types != nil {
		return ip.Types, nil
	}
	// Export data read here completes packages the others share.
	s.importMu.Lock()
	defer s.importMu.Unlock()
	if p := s.byPath[path]; p != nil && p.Complete() {
		return p, nil
	}
	return s.exportData(path)
}

// exportData loads path from the export data the go command builds,
// sharing the packages already loaded (so that time.Duration is one
// type).
func (s *incremental) exportData(path string) (*types.Package, error) {
	cfg := &packages.Config{Context: s.ctx, Mode: packages.NeedName | packages.NeedExportFile, Dir: s.old.Dir}
	pkgs, err := packages.Load(cfg, path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	if len(pkgs) != 1 || pkgs[0].ExportFile == "" {
		return nil, fmt.Errorf("could not import %s (no export data)", path)
	}
	f, err := os.Open(pkgs[0].ExportFile)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", path, err)
	}
	defer f.Close()
	r, err := gcexportdata.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", path, err)
	}
	p, err := gcexportdata.Read(r, s.old.Fset, s.byPath, path)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", path, err)
	}
	return p, nil
}

// position is pos as "file:line:col", the file relative to the module
// root.
func (s *incremental) position(pos token.Pos) string {
	p := s.old.Fset.Position(pos)
	return fmt.Sprintf("%s:%d:%d", s.old.Rel(p.Filename), p.Line, p.Column)
}

// scanPosition is p as "file:line:col", the file relative to the
// module root.
func (s *incremental) scanPosition(p token.Position) string {
	return fmt.Sprintf("%s:%d:%d", s.old.Rel(p.Filename), p.Line, p.Column)
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// before are the type errors of the module's packages as loaded, in the
// form broken gives them (positions relative to the module root).
func (s *incremental) before() []load.Broken {
	var out []load.Broken
	for n := range s.stale {
		if !s.inModule(n) || len(n.Errors) == 0 {
			continue
		}
		b := load.Broken{ID: n.ID}
		for _, e := range n.Errors {
			msg := e.Msg
			if e.Pos != "" && e.Pos != "-" {
				_, pos := splitPosn(s.old.Dir, e.Pos)
				msg = pos + ": " + e.Msg
			}
			b.Messages = append(b.Messages, msg)
		}
		out = append(out, b)
	}
	return out
}

// brokenIn are the IDs of the module's packages in the folders dirs
// (relative to the module root) that did not type-check as loaded.
func (s *incremental) brokenIn(dirs map[string]bool) []string {
	var out []string
	for n := range s.stale {
		if s.inModule(n) && len(n.Errors) > 0 && len(n.CompiledGoFiles) > 0 && dirs[s.old.Rel(filepath.Dir(n.CompiledGoFiles[0]))] {
			out = append(out, n.ID)
		}
	}
	sort.Strings(out)
	return out
}

// broken are the type errors found, as load.Broken values, by package.
func (s *incremental) broken() []load.Broken {
	var out []load.Broken
	for id, msgs := range s.errors {
		out = append(out, load.Broken{ID: id, Messages: msgs})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// module is the module as the phase leaves it: its packages with the
// checked ones in place of the loaded ones, and its ignored files (those
// the build constraints exclude) as the phase leaves them.
func (s *incremental) module() *load.Module {
	m := *s.old
	m.Packages, m.Loaded, m.Ignored = nil, nil, nil
	for _, p := range s.old.Packages {
		m.Packages = append(m.Packages, s.now(p))
	}
	for _, p := range s.old.Loaded {
		m.Loaded = append(m.Loaded, s.now(p))
	}
	for _, ig := range s.old.Ignored {
		src, changed := s.contents[ig.Path]
		if changed && src == nil {
			continue
		}
		if changed {
			f, err := parser.ParseFile(s.old.Fset, ig.Path, src, parser.ParseComments|parser.SkipObjectResolution)
			if err != nil {
				continue
			}
			ig.Syntax = f
		}
		ig.Package = s.now(ig.Package)
		m.Ignored = append(m.Ignored, ig)
	}
	return &m
}

// now is the loaded package p as the phase leaves it.
func (s *incremental) now(p *packages.Package) *packages.Package {
	if c := s.checked[p]; c != nil {
		return c
	}
	return p
}

// releaseOld empties, in the module as loaded, the type information of
// the module's packages that were checked again: the checked ones stand
// for them from now on, and the types (which the API check compares)
// stay. The maps are emptied in place, since the analysis model that
// planned the phase shares them.
func (s *incremental) releaseOld() {
	for n, stale := range s.stale {
		if stale && s.inModule(n) && n.TypesInfo != nil && s.checked[n] != n {
			*n.TypesInfo = types.Info{}
		}
	}
	s.released = true
}

// beforeAgain is pkgs, packages of the module as loaded, with their type
// information: pkgs themselves, or, once releaseOld emptied it, the
// packages type-checked again from the module as the phase leaves it
// with the phase undone.
func (s *incremental) beforeAgain(ctx context.Context, pkgs []*packages.Package) ([]*packages.Package, error) {
	if !s.released {
		return pkgs, nil
	}
	undo := make([]patch.FileChange, len(s.files))
	for i, f := range s.files {
		undo[i] = patch.FileChange{Path: f.Path, Old: f.New, New: f.Old}
	}
	back, err := checkIncremental(ctx, s.module(), undo, false)
	if err != nil {
		return nil, fmt.Errorf("type-check the packages as they were: %w", err)
	}
	out := make([]*packages.Package, len(pkgs))
	for i, p := range pkgs {
		out[i] = back.now(s.now(p))
	}
	return out, nil
}
