package rewrite

import (
	"go/ast"
	"go/types"
	"strconv"

	"github.com/dave/dst"
	"github.com/smartmigrate/smartmigrate/internal/analysis"
)

// untypedCall rewrites a call in a declaration from a file the build
// constraints exclude, where there are no types: calls through a package
// name resolve by the imported package's scope (from export data), calls
// to the phase's package-level units by name. Method calls cannot be
// resolved; the declaration's report says so once.
func (br *bodyRewrite) untypedCall(call *ast.CallExpr, stack []ast.Node, decl *ast.FuncDecl) {
	rw := br.rw
	switch fun := call.Fun.(type) {
	case *ast.Ident:
		for _, t := range rw.targets {
			if t.fn.Package == br.fs.pkg.PkgPath && t.fn.Recv == "" && t.fn.Name == fun.Name && !t.fn.InterfaceMethod {
				dc := br.d.Dst.Nodes[call].(*dst.CallExpr)
				if t.kind == analysis.Sibling {
					renameFun(dc, fun.Name+"Context")
				}
				br.prependCtx(dc)
				return
			}
		}
	case *ast.SelectorExpr:
		id, ok := fun.X.(*ast.Ident)
		if !ok {
			return
		}
		importPath, ok := fileImports(br.fs.syntax)[id.Name]
		if !ok {
			return
		}
		pkg := rw.importedPackage(importPath)
		if pkg == nil {
			rw.report(call.Lparen, CodeLeft, "%s.%s not checked: package %s is not loaded on this platform", id.Name, fun.Sel.Name, strconv.Quote(importPath))
			return
		}
		fn, ok := pkg.Scope().Lookup(fun.Sel.Name).(*types.Func)
		if !ok {
			return
		}
		r := analysis.RuleFor(fn)
		if r == nil {
			return
		}
		if r.Rewrite == analysis.RewriteBackground && analysis.IsReturned(stack[:len(stack)-1]) {
			return
		}
		br.sink(call, r, stack, decl)
	}
}

// importedPackage finds a package the module imports, by path.
func (rw *rewriter) importedPackage(path string) *types.Package {
	for _, p := range rw.mod.Packages {
		for _, imp := range p.Types.Imports() {
			if imp.Path() == path {
				return imp
			}
		}
	}
	return nil
}
