package rewrite

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"go/types"
	"maps"
	"os"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
)

// readSource reads a file to rewrite, through Input.ReadFile when set.
func (rw *rewriter) readSource(name string) ([]byte, error) {
	read := rw.in.ReadFile
	if read == nil {
		read = os.ReadFile
	}
	data, err := read(name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return data, nil
}

// fileImports maps the names a file's imports bind to their paths.
func fileImports(f *ast.File) map[string]string {
	out := map[string]string{}
	for _, spec := range f.Imports {
		p, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			continue
		}
		name := path.Base(p)
		if spec.Name != nil {
			name = spec.Name.Name
		}
		out[name] = p
	}
	return out
}

// importName returns the name under which the file refers to the
// standard-library package at importPath, arranging to import it when it
// does not: under its own name when that is free, else under a fresh alias.
func (rw *rewriter) importName(fs *fileState, importPath string) string {
	imports := fileImports(fs.syntax)
	if fs.typed {
		for _, spec := range fs.syntax.Imports {
			obj := fs.pkg.TypesInfo.Implicits[spec]
			if spec.Name != nil {
				obj = fs.pkg.TypesInfo.Defs[spec.Name]
			}
			if pn, ok := obj.(*types.PkgName); ok && pn.Imported().Path() == importPath {
				rw.use(fs.rel + ":" + importPath) // an earlier phase may have added it
				return pn.Name()
			}
		}
	} else {
		for name, p := range imports {
			if p == importPath && name != "_" && name != "." {
				return name
			}
		}
	}
	if fs.addImports == nil {
		fs.addImports = map[string]string{}
	}
	if name, ok := fs.addImports[importPath]; ok {
		return name
	}
	if fs.names == nil {
		fs.names = identNames(fs.syntax)
	}
	taken := func(n string) bool {
		_, imported := imports[n]
		return imported || fs.names[n] || fs.pkg.Types.Scope().Lookup(n) != nil || fs.aliases[n]
	}
	base := path.Base(importPath)
	name := base
	for i := 0; taken(name); i++ {
		name = "std" + base
		if i > 0 {
			name = fmt.Sprintf("std%s%d", base, i+1)
		}
	}
	fs.addImports[importPath] = name
	rw.created(DeclImport, fs.rel+":"+importPath, nil)
	if fs.aliases == nil {
		fs.aliases = map[string]bool{}
	}
	fs.aliases[name] = true
	return name
}

func (rw *rewriter) contextName(fs *fileState) string { return rw.importName(fs, "context") }

func (br *bodyRewrite) importName(p string) string { return br.rw.importName(br.fs, p) }

// render produces the file's new contents: the reprinted declarations
// spliced into the original bytes, the text edits, and the new imports.
func (rw *rewriter) render(fs *fileState) ([]byte, error) {
	edits := append([]textEdit(nil), fs.edits...)
	if df := rw.dfiles[fs]; df != nil {
		var buf bytes.Buffer
		if err := decorator.NewRestorer().Fprint(&buf, df); err != nil {
			return nil, fmt.Errorf("print: %w", err)
		}
		out := buf.Bytes()
		nf, err := parser.ParseFile(token.NewFileSet(), fs.rel, out, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("internal error: reprinted file does not parse: %w", err)
		}
		nbase := int(nf.FileStart)
		j := 0
		for _, d := range fs.printed {
			extra := len(rw.inserted[fs][d])
			if j+extra >= len(nf.Decls) {
				return nil, fmt.Errorf("internal error: reprinted file has %d declarations, want more", len(nf.Decls))
			}
			start, end := declRange(d)
			nstart, _ := declRange(nf.Decls[j])
			_, nend := declRange(nf.Decls[j+extra])
			edits = append(edits, textEdit{
				start: fs.offset(start), end: fs.offset(end),
				text: keepDocs(out, nbase, int(nstart), int(nend), nf.Decls[j:j+extra+1], df.Decls[j:j+extra+1]),
			})
			j += 1 + extra
		}
		if j != len(nf.Decls) {
			return nil, fmt.Errorf("internal error: reprinted file has %d declarations, want %d", len(nf.Decls), j)
		}
	}
	edits = append(edits, rw.importEdits(fs)...)
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	var out bytes.Buffer
	at := 0
	for _, e := range edits {
		if e.start < at {
			return nil, fmt.Errorf("internal error: overlapping edits at offset %d", e.start)
		}
		out.Write(fs.src[at:e.start])
		out.WriteString(e.text)
		at = e.end
	}
	out.Write(fs.src[at:])
	// A new first argument can change how gofmt spaces the others
	// (f(a + b) but f(ctx, a+b)), and gofmt moves doc comment lines the
	// printer leaves. A file that was gofmt-clean stays so (verification
	// checks it too); a file that was not is left as it is outside the
	// changed lines. What gofmt formats parses.
	if clean, err := format.Source(fs.src); err == nil && bytes.Equal(clean, fs.src) {
		if formatted, err := format.Source(out.Bytes()); err == nil {
			return formatted, nil
		}
	}
	if err := parseCheck(fs.rel, out.Bytes()); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// keepDocs returns out[start:end] (offsets from base) with the doc
// comments of the printed declarations as the rewrite wrote them: the
// printer reformats every top-level doc comment, and in a file that is not
// gofmt-clean that would change doc lines the phase did not touch (an old
// style heading gaining "# ", a trailing "//" dropped).
func keepDocs(out []byte, base, start, end int, printed []ast.Decl, decls []dst.Decl) string {
	var b strings.Builder
	at := start
	for i, d := range printed {
		doc := declDoc(d)
		if doc == nil {
			continue
		}
		want := docLines(decls[i].Decorations().Start)
		if len(want) == 0 {
			continue
		}
		from, to := int(doc.Pos())-base, int(doc.End())-base
		b.Write(out[at-base : from])
		b.WriteString(strings.Join(want, "\n"))
		at = to + base
	}
	b.Write(out[at-base : end-base])
	return b.String()
}

func declDoc(d ast.Decl) *ast.CommentGroup {
	switch d := d.(type) {
	case *ast.FuncDecl:
		return d.Doc
	case *ast.GenDecl:
		return d.Doc
	}
	return nil
}

// declRange is a declaration's extent, its doc comment included.
func declRange(d ast.Decl) (token.Pos, token.Pos) {
	start := d.Pos()
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Doc != nil {
			start = d.Doc.Pos()
		}
	case *ast.GenDecl:
		if d.Doc != nil {
			start = d.Doc.Pos()
		}
	}
	return start, d.End()
}

// importEdits adds the imports the rewrite needs, keeping the first import
// group sorted as gofmt would.
func (rw *rewriter) importEdits(fs *fileState) []textEdit {
	if len(fs.addImports) == 0 {
		return nil
	}
	var lines []string
	for _, p := range slices.Sorted(maps.Keys(fs.addImports)) {
		name := fs.addImports[p]
		if name == path.Base(p) {
			lines = append(lines, strconv.Quote(p))
		} else {
			lines = append(lines, name+" "+strconv.Quote(p))
		}
	}
	var decl *ast.GenDecl
	for _, d := range fs.syntax.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
			decl = g
			break
		}
	}
	if decl == nil {
		off := fs.offset(fs.syntax.Name.End())
		text := "\n\nimport " + lines[0]
		if len(lines) > 1 {
			text = "\n\nimport (\n\t" + strings.Join(lines, "\n\t") + "\n)"
		}
		return []textEdit{{start: off, end: off, text: text}}
	}
	if !decl.Lparen.IsValid() {
		// import "fmt" becomes a block.
		spec := decl.Specs[0].(*ast.ImportSpec)
		all := append(lines, nodeText(fs, spec))
		sort.Slice(all, func(i, j int) bool { return importPathOf(all[i]) < importPathOf(all[j]) })
		return []textEdit{{start: fs.offset(decl.Pos()), end: fs.offset(decl.End()), text: "import (\n\t" + strings.Join(all, "\n\t") + "\n)"}}
	}
	// Insert each line in the first group (specs on consecutive lines) at
	// its sorted place.
	fset := rw.mod.Fset
	var group []*ast.ImportSpec
	for i, s := range decl.Specs {
		spec := s.(*ast.ImportSpec)
		if i > 0 && fset.Position(spec.Pos()).Line > fset.Position(decl.Specs[i-1].End()).Line+1 {
			break
		}
		group = append(group, spec)
	}
	var edits []textEdit
	for _, line := range lines {
		p := importPathOf(line)
		var at *ast.ImportSpec
		for _, spec := range group {
			if sp, _ := strconv.Unquote(spec.Path.Value); sp > p {
				at = spec
				break
			}
		}
		if at != nil {
			off := fs.offset(lineStart(fs, at.Pos()))
			edits = append(edits, textEdit{start: off, end: off, text: "\t" + line + "\n"})
			continue
		}
		if len(group) == 0 {
			off := fs.offset(decl.Lparen) + 1
			edits = append(edits, textEdit{start: off, end: off, text: "\n\t" + line})
			continue
		}
		off := fs.offset(group[len(group)-1].End())
		for off < len(fs.src) && fs.src[off] != '\n' {
			off++ // after a trailing comment
		}
		edits = append(edits, textEdit{start: off, end: off, text: "\n\t" + line})
	}
	return edits
}

// lineStart is the position of the first byte of pos's line.
func lineStart(fs *fileState, pos token.Pos) token.Pos {
	off := fs.offset(pos)
	for off > 0 && fs.src[off-1] != '\n' {
		off--
	}
	return token.Pos(fs.base() + off)
}

// importPathOf extracts the path from an import line (`name "path"`).
func importPathOf(line string) string {
	i := strings.IndexByte(line, '"')
	if i < 0 {
		return line
	}
	p, _ := strconv.Unquote(line[i:])
	return p
}
