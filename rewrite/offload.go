package rewrite

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
	"github.com/smartmigrate/smartmigrate/internal/analysis"
)

// OffloadMarker starts the comment of an offloaded body; a later phase
// finds the wrapper by it and removes it.
const OffloadMarker = "Offloaded (smartmigrate --offload)"

// offloadable reports why t's ctx form cannot be offloaded ("" when it
// can): it needs an error result to return ctx.Err() with.
func offloadable(fs *fileState, decl *ast.FuncDecl) string {
	res := decl.Type.Results
	if res == nil || len(res.List) == 0 {
		return "no error result to return ctx.Err() with"
	}
	last := res.List[len(res.List)-1].Type
	if fs.typed {
		if t := fs.pkg.TypesInfo.TypeOf(last); t == nil || !types.Identical(t, types.Universe.Lookup("error").Type()) {
			return "its last result is not an error"
		}
	} else if id, ok := last.(*ast.Ident); !ok || id.Name != "error" {
		return "its last result is not an error"
	}
	return ""
}

// pendingCallees reports whether t's unit calls a unit that this phase
// does not migrate.
func (rw *rewriter) pendingCallees(t *target) bool {
	for _, c := range t.unit.Callees {
		if rw.targets[c.Lead()] == nil {
			return true
		}
	}
	return false
}

// offloadBody wraps body (the rewritten body of decl) so that it runs in a
// goroutine and the function returns ctx.Err(), with zero values, when ctx
// ends first.
func (rw *rewriter) offloadBody(fs *fileState, decl *ast.FuncDecl, body *dst.BlockStmt, ctxName string) (*dst.BlockStmt, error) {
	used := identNames(decl)
	used[ctxName] = true
	fresh := func(base string) string {
		n := freshName(base, used)
		used[n] = true
		return n
	}
	var typs []string
	for _, f := range decl.Type.Results.List {
		t := nodeText(fs, f.Type)
		for range max(1, len(f.Names)) {
			typs = append(typs, t)
		}
	}
	done := fresh("done")
	var res, zeros []string
	for i := range typs {
		res = append(res, fresh(fmt.Sprintf("res%d", i)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "package p\n\nfunc _() {\n")
	fmt.Fprintf(&b, "\t// %s: the sync body runs in a\n", OffloadMarker)
	fmt.Fprintf(&b, "\t// goroutine until its callees take a context. When %s ends first,\n", ctxName)
	fmt.Fprintf(&b, "\t// this returns %s.Err() at once: it cancels the wait, not the work,\n", ctxName)
	fmt.Fprintf(&b, "\t// which goes on in the background. A later phase threads %s\n", ctxName)
	fmt.Fprintf(&b, "\t// through and removes this wrapper.\n")
	fmt.Fprintf(&b, "\t%s := make(chan struct{})\n", done)
	for i, t := range typs {
		fmt.Fprintf(&b, "\tvar %s %s\n", res[i], t)
	}
	fmt.Fprintf(&b, "\tgo func() {\n\t\tdefer close(%s)\n", done)
	fmt.Fprintf(&b, "\t\t%s = func() %s {}()\n\t}()\n", strings.Join(res, ", "), nodeText(fs, decl.Type.Results))
	fmt.Fprintf(&b, "\tselect {\n\tcase <-%s:\n\t\treturn %s\n\tcase <-%s.Done():\n", done, strings.Join(res, ", "), ctxName)
	for i, t := range typs[:len(typs)-1] {
		z := fresh(fmt.Sprintf("zero%d", i))
		zeros = append(zeros, z)
		fmt.Fprintf(&b, "\t\tvar %s %s\n", z, t)
	}
	fmt.Fprintf(&b, "\t\treturn %s\n\t}\n}\n", strings.Join(append(zeros, ctxName+".Err()"), ", "))
	f, err := decorator.Parse(b.String())
	if err != nil {
		return nil, fmt.Errorf("internal error: offload wrapper: %w\n%s", err, b.String())
	}
	wrapper := f.Decls[0].(*dst.FuncDecl).Body
	var inner *dst.FuncLit
	dst.Inspect(wrapper, func(n dst.Node) bool {
		if lit, ok := n.(*dst.FuncLit); ok && len(lit.Body.List) == 0 {
			inner = lit
		}
		return true
	})
	inner.Body = body
	return wrapper, nil
}

// offloadWrapper finds the parts of an offloaded body: the outer body and
// the inner function literal holding the sync body.
func offloadWrapper(decl *ast.FuncDecl, comments []*ast.CommentGroup) *ast.FuncLit {
	if decl.Body == nil || len(decl.Body.List) < 3 {
		return nil
	}
	marked := false
	first := decl.Body.List[0].Pos()
	for _, cg := range comments {
		if cg.Pos() > decl.Body.Lbrace && cg.End() <= first && strings.Contains(cg.Text(), OffloadMarker) {
			marked = true
		}
	}
	if !marked {
		return nil
	}
	for _, s := range decl.Body.List {
		g, ok := s.(*ast.GoStmt)
		if !ok {
			continue
		}
		lit, ok := g.Call.Fun.(*ast.FuncLit)
		if !ok || len(lit.Body.List) != 2 {
			return nil
		}
		as, ok := lit.Body.List[1].(*ast.AssignStmt)
		if !ok || len(as.Rhs) != 1 {
			return nil
		}
		call, ok := as.Rhs[0].(*ast.CallExpr)
		if !ok {
			return nil
		}
		inner, _ := call.Fun.(*ast.FuncLit)
		return inner
	}
	return nil
}

// unwrapOffloads removes the offload wrapper of every function whose
// callees are all context-aware once this phase is applied: its body
// becomes the sync body, which now passes ctx on.
func (rw *rewriter) unwrapOffloads() error {
	pending := map[*analysis.Func]bool{}
	for _, u := range rw.in.Model.Units {
		for _, f := range u.Funcs {
			if rw.targets[f] == nil {
				pending[f] = true
			}
		}
	}
	for _, pkg := range rw.mod.Packages {
		for _, f := range pkg.Syntax {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok {
					continue
				}
				inner := offloadWrapper(fd, f.Comments)
				if inner == nil {
					continue
				}
				fn := rw.in.Model.FuncAt(fd.Name.Pos())
				if fn == nil {
					continue
				}
				waiting := false
				for _, c := range fn.Calls {
					for _, t := range c.Targets() {
						waiting = waiting || pending[t]
					}
				}
				if waiting {
					continue
				}
				fs, err := rw.file(f, pkg, true)
				if err != nil {
					return err
				}
				if fs.reprint[d] {
					continue
				}
				fs.edits = append(fs.edits,
					textEdit{start: fs.offset(fd.Body.Lbrace) + 1, end: fs.offset(inner.Body.Lbrace) + 1},
					textEdit{start: fs.offset(inner.Body.Rbrace), end: fs.offset(fd.Body.Rbrace)})
				rw.res.Diagnostics = append(rw.res.Diagnostics, Diagnostic{Pos: rw.position(fd.Name.Pos()), Code: CodeUnwrapped, Func: fn.ID,
					Message: fd.Name.Name + ": offload removed, its callees now take ctx"})
			}
		}
	}
	return nil
}
