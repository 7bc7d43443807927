package rewrite

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/doc/comment"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/parallel"
)

// rewriteDecls edits every declaration marked for reprinting as dst.
func (rw *rewriter) rewriteDecls() error {
	also := map[token.Pos]*target{}
	for _, t := range rw.targets {
		also[t.fn.Pos] = t
		for _, p := range t.fn.Also {
			also[p] = t
		}
	}
	var files []*fileState
	for _, fs := range rw.sortedFiles() {
		if len(fs.reprint) > 0 {
			files = append(files, fs)
		}
	}
	// Only the declarations reprinted are decorated and printed: the rest
	// of each file keeps its bytes. Files are decorated side by side, each
	// with its own decorator; on a large phase this is a third of the
	// rewrite.
	decos := make([]*decorator.Decorator, len(files))
	dfiles := make([]*dst.File, len(files))
	err := parallel.ForEach(len(files), 0, func(i int) error {
		decos[i] = decorator.NewDecorator(rw.mod.Fset)
		df, err := decos[i].DecorateFile(reprinted(files[i]))
		if err != nil {
			return fmt.Errorf("decorate %s: %w", files[i].rel, err)
		}
		dfiles[i] = df
		return nil
	})
	if err != nil {
		return err
	}
	for i, fs := range files {
		d, df := decos[i], dfiles[i]
		rw.dfiles[fs] = df
		for _, decl := range fs.printed {
			switch decl := decl.(type) {
			case *ast.FuncDecl:
				t := also[decl.Name.Pos()]
				if err := rw.rewriteFunc(fs, d, decl, t); err != nil {
					return err
				}
			case *ast.GenDecl:
				rw.rewriteInterface(fs, d, decl, also)
			}
		}
		if ins := rw.inserted[fs]; len(ins) > 0 {
			var decls []dst.Decl
			for _, decl := range fs.printed {
				decls = append(decls, d.Dst.Nodes[decl].(dst.Decl))
				decls = append(decls, ins[decl]...)
			}
			df.Decls = decls
		}
	}
	return nil
}

// reprinted is fs's file cut down to the declarations to reprint and the
// comments inside them (their doc comments included), for the decorator;
// it sets fs.printed to those declarations.
func reprinted(fs *fileState) *ast.File {
	f := fs.syntax
	sub := &ast.File{Package: f.Package, Name: f.Name, FileStart: f.FileStart, FileEnd: f.FileEnd, GoVersion: f.GoVersion}
	fs.printed = nil
	cs := f.Comments
	for _, d := range f.Decls {
		if !fs.reprint[d] {
			continue
		}
		fs.printed = append(fs.printed, d)
		start, end := declRange(d)
		i, _ := slices.BinarySearchFunc(cs, start, func(c *ast.CommentGroup, p token.Pos) int { return cmp.Compare(c.Pos(), p) })
		for ; i < len(cs) && cs[i].End() <= end; i++ {
			sub.Comments = append(sub.Comments, cs[i])
		}
		cs = cs[i:]
	}
	sub.Decls = fs.printed
	return sub
}

func (rw *rewriter) sortedFiles() []*fileState {
	var out []*fileState
	for _, p := range slices.Sorted(maps.Keys(rw.files)) {
		out = append(out, rw.files[p])
	}
	return out
}

// rewriteFunc makes one function context-aware: its body first, then its
// declaration (a ctx form beside a shim, or ctx in place).
func (rw *rewriter) rewriteFunc(fs *fileState, d *decorator.Decorator, decl *ast.FuncDecl, t *target) error {
	dd := d.Dst.Nodes[decl].(*dst.FuncDecl)
	ctxName, renamed := rw.ctxParamName(fs, d, decl)
	ctxPkg := rw.contextName(fs)
	fs.needCtx = true
	if err := rw.rewriteBody(fs, d, decl, t, ctxName); err != nil {
		return err
	}
	if rw.in.Offload && decl.Body != nil && rw.pendingCallees(t) {
		if why := offloadable(fs, decl); why != "" {
			rw.report(decl.Name.Pos(), CodeLeft, "%s not offloaded: %s", decl.Name.Name, why)
		} else {
			body, err := rw.offloadBody(fs, decl, dd.Body, ctxName)
			if err != nil {
				return err
			}
			dd.Body = body
			if fs.typed {
				rw.res.Diagnostics = append(rw.res.Diagnostics, Diagnostic{Pos: rw.position(decl.Name.Pos()), Code: CodeOffloaded, Func: t.fn.ID,
					Message: decl.Name.Name + ": body offloaded to a goroutine until its callees take ctx; cancelling ctx ends the wait, not the work"})
			}
		}
	}
	ctxField := &dst.Field{
		Names: []*dst.Ident{dst.NewIdent(ctxName)},
		Type:  &dst.SelectorExpr{X: dst.NewIdent(ctxPkg), Sel: dst.NewIdent("Context")},
	}
	if t.kind == analysis.InPlace {
		dd.Type.Params.List = prependParam(dd.Type.Params.List, ctxField)
		if fs.typed {
			rw.created(DeclInPlace, t.fn.Obj.FullName(), t.fn)
		}
		return nil
	}
	if fs.typed {
		rw.created(DeclCtxForm, ctxFormName(t.fn), t.fn)
		rw.created(DeclShim, t.fn.Obj.FullName(), t.fn)
	}
	form := &dst.FuncDecl{
		Recv: cloneFieldList(dd.Recv),
		Name: dst.NewIdent(t.fn.CtxFormName()),
		Type: dst.Clone(dd.Type).(*dst.FuncType),
		Body: dd.Body,
	}
	form.Type.Params.List = prependParam(form.Type.Params.List, ctxField)
	for _, id := range renamed {
		id.Name = "ctx" // the shim keeps its parameter's name
	}
	form.Decs.Before = dst.EmptyLine
	form.Decs.After = dst.NewLine
	form.Decs.Start = ctxFormDoc(docLines(dd.Decs.Start), decl.Name.Name, recvTypeName(decl))
	rw.makeShim(dd, decl, ctxPkg)
	if rw.inserted[fs] == nil {
		rw.inserted[fs] = map[ast.Decl][]dst.Decl{}
	}
	rw.inserted[fs][decl] = append(rw.inserted[fs][decl], form)
	return nil
}

// prependParam puts ctx first; when the other parameters have no names
// (all or none must), they become blank.
func prependParam(list []*dst.Field, ctx *dst.Field) []*dst.Field {
	if len(list) > 0 && list[0].Decs.Before == dst.NewLine {
		ctx.Decs.Before = dst.NewLine // a parameter list written one per line
		ctx.Decs.After = dst.NewLine
	}
	for _, f := range list {
		if len(f.Names) == 0 {
			f.Names = []*dst.Ident{dst.NewIdent("_")}
		}
	}
	return append([]*dst.Field{ctx}, list...)
}

func cloneFieldList(fl *dst.FieldList) *dst.FieldList {
	if fl == nil {
		return nil
	}
	return dst.Clone(fl).(*dst.FieldList)
}

// makeShim turns the original declaration into a shim that calls the ctx
// form with context.Background(), naming what it must forward.
func (rw *rewriter) makeShim(dd *dst.FuncDecl, decl *ast.FuncDecl, ctxPkg string) {
	used := identNames(decl)
	var fun dst.Expr = dst.NewIdent(decl.Name.Name + "Context")
	if dd.Recv != nil && len(dd.Recv.List) == 1 {
		r := dd.Recv.List[0]
		if len(r.Names) == 0 || r.Names[0].Name == "_" {
			name := freshName(receiverName(decl.Recv.List[0].Type), used)
			used[name] = true
			r.Names = []*dst.Ident{dst.NewIdent(name)}
		}
		fun = &dst.SelectorExpr{X: dst.NewIdent(r.Names[0].Name), Sel: dst.NewIdent(decl.Name.Name + "Context")}
	} else if tp := dd.Type.TypeParams; tp != nil && len(tp.List) > 0 {
		var idx []dst.Expr
		for _, f := range tp.List {
			for _, n := range f.Names {
				idx = append(idx, dst.NewIdent(n.Name))
			}
		}
		if len(idx) == 1 {
			fun = &dst.IndexExpr{X: fun, Index: idx[0]}
		} else {
			fun = &dst.IndexListExpr{X: fun, Indices: idx}
		}
	}
	args := []dst.Expr{&dst.CallExpr{Fun: &dst.SelectorExpr{X: dst.NewIdent(ctxPkg), Sel: dst.NewIdent("Background")}}}
	n := 0
	for _, f := range dd.Type.Params.List {
		if len(f.Names) == 0 {
			f.Names = []*dst.Ident{dst.NewIdent("")}
		}
		for _, id := range f.Names {
			if id.Name == "" || id.Name == "_" {
				id.Name = freshName(fmt.Sprintf("p%d", n), used)
				used[id.Name] = true
			}
			args = append(args, dst.NewIdent(id.Name))
			n++
		}
	}
	call := &dst.CallExpr{Fun: fun, Args: args, Ellipsis: decl.Type.Params.NumFields() > 0 && isVariadic(decl.Type)}
	var stmt dst.Stmt = &dst.ReturnStmt{Results: []dst.Expr{call}}
	if dd.Type.Results == nil || len(dd.Type.Results.List) == 0 {
		stmt = &dst.ExprStmt{X: call}
	}
	// The shim's one statement on a line of its own, as gofmt would write
	// a function whose body is reviewed.
	stmt.Decorations().Before = dst.NewLine
	stmt.Decorations().After = dst.NewLine
	dd.Body = &dst.BlockStmt{List: []dst.Stmt{stmt}}
	dd.Decs.Start = shimDoc(dd.Decs.Start, decl.Name.Name, recvTypeName(decl))
}

func isVariadic(ft *ast.FuncType) bool {
	l := ft.Params.List
	if len(l) == 0 {
		return false
	}
	_, ok := l[len(l)-1].Type.(*ast.Ellipsis)
	return ok
}

// receiverName is a short name for a receiver of type expr: "c" for
// *Client.
func receiverName(expr ast.Expr) string {
	for {
		switch e := expr.(type) {
		case *ast.StarExpr:
			expr = e.X
			continue
		case *ast.IndexExpr:
			expr = e.X
			continue
		case *ast.IndexListExpr:
			expr = e.X
			continue
		case *ast.Ident:
			for _, r := range e.Name {
				return string(unicode.ToLower(r))
			}
		}
		return "recv"
	}
}

// docLines returns the doc comment proper from a declaration's start
// decorations: the lines after the last blank line, comments only.
func docLines(start dst.Decorations) []string {
	last := -1
	for i, s := range start {
		if s == "\n" {
			last = i
		}
	}
	return append([]string(nil), start[last+1:]...)
}

// shimDoc adds to Foo's doc the paragraph database/sql uses, before any
// trailing link definitions ([RFC 8259]: https://...) and directives
// (//go:..., //nolint...), which gofmt keeps last.
func shimDoc(start dst.Decorations, name, recv string) dst.Decorations {
	note := fmt.Sprintf("// %s uses context.Background internally; to specify the context, use %s.", name, docLink(recv, name+"Context"))
	doc := docLines(start)
	head := append([]string(nil), start[:len(start)-len(doc)]...)
	if len(doc) == 0 {
		return append(head, note)
	}
	i := len(doc)
	for i > 0 && (isDirective(doc[i-1]) || isLinkDef(doc[i-1]) || doc[i-1] == "//" && i < len(doc)) {
		i--
	}
	tail := doc[i:]
	for i > 0 && doc[i-1] == "//" {
		i-- // a blank comment line before the tail, or ending the doc
	}
	out := append(head, doc[:i]...)
	if i > 0 && !makesHeading(doc[:i], note) {
		out = append(out, "//")
	}
	out = append(out, note)
	if len(tail) > 0 {
		if isLinkDef(tail[0]) {
			out = append(out, "//")
		}
		out = append(out, tail...)
	}
	return out
}

// isLinkDef reports whether a doc comment line is a link definition:
// "// [Name]: URL".
func isLinkDef(line string) bool {
	rest, ok := strings.CutPrefix(line, "// [")
	if !ok {
		return false
	}
	_, url, ok := strings.Cut(rest, "]: ")
	return ok && url != "" && !strings.ContainsAny(url, " \t")
}

// makesHeading reports whether a paragraph after doc would turn doc's last
// paragraph into a heading: gofmt rewrites a one-line paragraph that looks
// like a title ("Panics if the key is unknown") and is followed by another
// paragraph into "# Panics if the key is unknown". The note then joins the
// last paragraph instead, which keeps the doc's text and its meaning.
func makesHeading(doc []string, note string) bool {
	with := append(append(append([]string(nil), doc...), "//"), note)
	return headings(with) > headings(doc)
}

// headings counts the headings of a // doc comment, as go/doc/comment
// parses it; 0 for anything else.
func headings(lines []string) int {
	var text strings.Builder
	for _, l := range lines {
		rest, ok := strings.CutPrefix(l, "//")
		if !ok {
			return 0
		}
		text.WriteString(strings.TrimPrefix(rest, " ") + "\n")
	}
	var p comment.Parser
	n := 0
	for _, b := range p.Parse(text.String()).Content {
		if _, ok := b.(*comment.Heading); ok {
			n++
		}
	}
	return n
}

// ctxFormDoc is Foo's doc for FooContext, in the standard library's
// style: a short doc (one paragraph, no heading, list or code) carried
// over with the name changed where it starts with it; a long one, or
// none, is "FooContext is like [Foo] but takes a context." (one copy of a
// long doc to keep up to date, and its examples call Foo). Directives are
// left to the shim.
func ctxFormDoc(doc []string, name, recv string) dst.Decorations {
	var out []string
	for _, line := range doc {
		if isDirective(line) && !strings.HasPrefix(line, "//nolint") {
			continue
		}
		out = append(out, line)
	}
	for len(out) > 0 && out[len(out)-1] == "//" {
		out = out[:len(out)-1]
	}
	if len(out) == 0 && !ast.IsExported(name) {
		return nil
	}
	if len(out) == 0 || longDoc(out) {
		like := fmt.Sprintf("// %sContext is like %s but takes a context.", name, docLink(recv, name))
		for _, l := range out {
			if strings.HasPrefix(l, "//nolint") {
				like += "\n" + l
			}
		}
		return strings.Split(like, "\n")
	}
	if rest, ok := strings.CutPrefix(out[0], "// "+name+" "); ok {
		out[0] = "// " + name + "Context " + rest
	} else if out[0] == "// "+name {
		out[0] = "// " + name + "Context"
	}
	return out
}

// longDoc reports whether a // doc comment is more than one paragraph of
// text: several paragraphs, a heading, a list or a code block.
func longDoc(lines []string) bool {
	var text strings.Builder
	for _, l := range lines {
		if isDirective(l) {
			continue
		}
		rest, ok := strings.CutPrefix(l, "//")
		if !ok {
			return true // a /* */ comment: not judged, not copied
		}
		text.WriteString(strings.TrimPrefix(rest, " ") + "\n")
	}
	var p comment.Parser
	content := p.Parse(text.String()).Content
	if len(content) > 1 {
		return true
	}
	for _, b := range content {
		if _, ok := b.(*comment.Paragraph); !ok {
			return true
		}
	}
	return false
}

// docLink is a doc comment's name for name: [Name], [Recv.Name] for a
// method; plain when go doc would not link it (unexported).
func docLink(recv, name string) string {
	if !ast.IsExported(name) || recv != "" && !ast.IsExported(recv) {
		return name
	}
	if recv != "" {
		return "[" + recv + "." + name + "]"
	}
	return "[" + name + "]"
}

// recvTypeName is the name of decl's receiver type ("Client" for
// (c *Client[T])), or "" for a function.
func recvTypeName(decl *ast.FuncDecl) string {
	if decl.Recv == nil || len(decl.Recv.List) != 1 {
		return ""
	}
	return analysis.ReceiverTypeName(decl.Recv.List[0].Type)
}

func isDirective(line string) bool {
	return strings.HasPrefix(line, "//go:") || strings.HasPrefix(line, "//nolint") || strings.HasPrefix(line, "//lint:")
}

// rewriteInterface adds ctx to the interface methods that are targets.
func (rw *rewriter) rewriteInterface(fs *fileState, d *decorator.Decorator, decl *ast.GenDecl, targets map[token.Pos]*target) {
	for _, s := range decl.Specs {
		it, ok := s.(*ast.TypeSpec).Type.(*ast.InterfaceType)
		if !ok {
			continue
		}
		for _, m := range it.Methods.List {
			if len(m.Names) != 1 || targets[m.Names[0].Pos()] == nil {
				continue
			}
			t := targets[m.Names[0].Pos()]
			rw.created(DeclInPlace, t.fn.Obj.FullName(), t.fn)
			ft := d.Dst.Nodes[m].(*dst.Field).Type.(*dst.FuncType)
			name := freshName("ctx", identNames(m))
			fs.needCtx = true
			ft.Params.List = prependParam(ft.Params.List, &dst.Field{
				Names: []*dst.Ident{dst.NewIdent(name)},
				Type:  &dst.SelectorExpr{X: dst.NewIdent(rw.contextName(fs)), Sel: dst.NewIdent("Context")},
			})
		}
	}
}

// identNames collects every identifier spelled in n.
func identNames(n ast.Node) map[string]bool {
	names := map[string]bool{}
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			names[id.Name] = true
		}
		return true
	})
	return names
}

// ctxParamName is the name of the ctx parameter decl gets: always "ctx"
// when the function can give the name up. Its own parameters and locals
// named ctx are renamed (ctx2, ...) with every use, so that the public
// parameter reads as everywhere else; only when ctx names something
// declared outside the function that the body uses (a package variable,
// an import), or in a file without types, is the parameter ctx2. inSig
// are the renamed identifiers of decl's signature (a parameter named ctx),
// which a shim gives back their name.
func (rw *rewriter) ctxParamName(fs *fileState, d *decorator.Decorator, decl *ast.FuncDecl) (name string, inSig []*dst.Ident) {
	used := identNames(decl)
	if !used["ctx"] {
		return "ctx", nil
	}
	if !fs.typed {
		return freshName("ctx", used), nil
	}
	local, outside := ctxIdents(fs.pkg.TypesInfo, decl)
	if outside {
		return freshName("ctx", used), nil
	}
	if len(local) == 0 {
		return "ctx", nil
	}
	renamed := freshName("ctx2", used)
	for _, id := range local {
		did, ok := d.Dst.Nodes[id].(*dst.Ident)
		if !ok {
			continue
		}
		did.Name = renamed
		if id.Pos() < decl.Type.End() {
			inSig = append(inSig, did)
		}
	}
	rw.report(local[0].Pos(), CodeRenamed, "%s: its own ctx is now %s, so that the ctx parameter is ctx", decl.Name.Name, renamed)
	return "ctx", inSig
}

// ctxIdents are decl's identifiers named ctx that stand for a parameter or
// local declared in decl; outside is true when one stands for something
// declared elsewhere. Field and method names (x.ctx, T{ctx: v}) and
// labels do not clash with a parameter, nor does a closure's own
// context.Context parameter named ctx (a closure stored into a migrated
// field, say): it shadows the ctx form's, as it should.
func ctxIdents(info *types.Info, decl *ast.FuncDecl) (local []*ast.Ident, outside bool) {
	sels := map[*ast.Ident]bool{}
	shadows := map[types.Object]bool{}
	ast.Inspect(decl, func(n ast.Node) bool {
		if se, ok := n.(*ast.SelectorExpr); ok {
			sels[se.Sel] = true
		}
		if lit, ok := n.(*ast.FuncLit); ok {
			for _, f := range lit.Type.Params.List {
				for _, id := range f.Names {
					if v, ok := info.Defs[id].(*types.Var); ok && analysis.IsContext(v.Type()) {
						shadows[v] = true
					}
				}
			}
		}
		id, ok := n.(*ast.Ident)
		if !ok || id.Name != "ctx" || sels[id] {
			return true
		}
		obj := info.Defs[id]
		if obj == nil {
			obj = info.Uses[id]
		}
		if shadows[obj] {
			return true
		}
		switch o := obj.(type) {
		case nil, *types.Label:
			return true
		case *types.Var:
			if o.IsField() {
				return true
			}
		}
		if obj.Pos() >= decl.Pos() && obj.Pos() < decl.End() {
			local = append(local, id)
		} else {
			outside = true
		}
		return true
	})
	return local, outside
}

// freshName returns base, or base2, base3... the first not in used.
func freshName(base string, used map[string]bool) string {
	if !used[base] && token.Lookup(base) == token.IDENT {
		return base
	}
	for i := 2; ; i++ {
		n := fmt.Sprintf("%s%d", base, i)
		if !used[n] {
			return n
		}
	}
}
