package analysis

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
)

// SiblingField is the ctx field an exported function-valued field gets
// beside it, so that no exported API changes: F func(args) R is kept, and
// FContext func(ctx context.Context, args) R is declared after it. The
// module fills FContext wherever it fills F (with the ctx form of a module
// function, else with nil, so that a sync value stored later is never
// shadowed by a ctx value stored earlier); a nil check of F checks both;
// a call through F calls FContext with the caller's ctx when it is set,
// else F, through an unexported helper of the field's package. Code
// outside the module that sets only F keeps working, without a ctx.
type SiblingField struct {
	// Name is the ctx field's name: F + "Context".
	Name string
	// Decl is F's declaration; FContext goes after it.
	Decl *ast.Field
	// Owner is the struct that declares F.
	Owner *types.Named
	// NilChecks are the comparisons of F with nil (F == nil, F != nil),
	// which check FContext too.
	NilChecks []NilCheck
	// blocked says why the group cannot have a sibling after all, found
	// while its uses were collected.
	blocked string
	// outside are the uses in test files of other packages, which cannot
	// see the helper: they stay as they are, as code outside the module.
	outside map[ast.Node]bool
}

// LeftAsIs reports whether the migration leaves the use n of the field
// as it is: it is in a test file of another package (an external test),
// which uses the field as code outside the module would.
func (sf *SiblingField) LeftAsIs(n ast.Node) bool { return sf.outside[n] }

// foreign notes a use of the field in a package other than its own:
// left as is in a test file, else the group cannot have a sibling (the
// helper is unexported). It reports whether the use is left as is.
func (sf *SiblingField) foreign(file *File, n ast.Node, pkg *types.Package) bool {
	if file.Pkg.Types == pkg {
		return false
	}
	if !file.Test {
		sf.block(fmt.Sprintf("package %s uses it", file.Pkg.Path))
		return false
	}
	if sf.outside == nil {
		sf.outside = map[ast.Node]bool{}
	}
	sf.outside[n] = true
	return true
}

// NilCheck is a comparison of a sibling group's field with nil.
type NilCheck struct {
	Expr *ast.BinaryExpr
	// Paren is true when the widened check needs parentheses where it
	// stands (under ! or a binary operator that binds tighter).
	Paren bool
}

// siblingField returns the SiblingField that g, a group whose lead field
// is exported, migrates with, or why it cannot have one.
func (x *extractor) siblingField(g *FieldGroup, decls map[*types.Var]slotDecl) (*SiblingField, string) {
	ff := g.Lead()
	d, ok := decls[ff.Var]
	name := ff.Var.Name() + "Context"
	switch {
	case len(g.Fields) > 1 || len(g.Params) > 0:
		return nil, "its values are shared with other fields or parameters"
	case !ok || d.owner == nil || d.field == nil:
		return nil, "it is not a field of a named struct of the module"
	case d.owner.TypeParams().Len() > 0:
		return nil, "it is a field of a generic struct"
	case d.file.Generated:
		return nil, "it is declared in a generated file"
	case len(d.field.Names) != 1:
		return nil, "it is declared together with other fields"
	}
	if obj, _, _ := types.LookupFieldOrMethod(d.owner, true, ff.Var.Pkg(), name); obj != nil {
		return nil, fmt.Sprintf("%s.%s exists already", d.owner.Obj().Name(), name)
	}
	return &SiblingField{Name: name, Decl: d.field, Owner: d.owner}, ""
}

// siblingUse records a use of the field of a sibling group that the
// migration rewrites, or why it cannot; it reports whether e was one.
func (g *FieldGroup) siblingUse(file *File, e ast.Expr, stack []ast.Node) bool {
	sf := g.Sibling
	parent := stack[len(stack)-2]
	if sf.foreign(file, e, g.Lead().Var.Pkg()) {
		return true
	}
	if b, ok := parent.(*ast.BinaryExpr); ok && (b.Op == token.EQL || b.Op == token.NEQ) && isNilIdent(otherSide(b, e)) {
		sf.NilChecks = append(sf.NilChecks, NilCheck{Expr: b, Paren: needsParen(b.Op, stack[len(stack)-3])})
		if !pureChain(e) {
			sf.block("it is compared with nil through an expression with effects")
		}
		return true
	}
	if a, ok := parent.(*ast.AssignStmt); ok && a.Tok == token.ASSIGN && len(a.Lhs) == len(a.Rhs) {
		for _, l := range a.Lhs {
			if l == e && !pureChain(e) {
				sf.block("it is assigned through an expression with effects")
			}
		}
	}
	return false
}

// needsParen reports whether a nil check (op) widened to an && (for ==)
// or an || (for !=) needs parentheses under parent.
func needsParen(op token.Token, parent ast.Node) bool {
	join := token.LAND
	if op == token.NEQ {
		join = token.LOR
	}
	switch p := parent.(type) {
	case *ast.UnaryExpr:
		return true
	case *ast.BinaryExpr:
		return p.Op != join && !(join == token.LAND && p.Op == token.LOR)
	}
	return false
}

func (sf *SiblingField) block(why string) {
	if sf.blocked == "" {
		sf.blocked = why
	}
}

func otherSide(b *ast.BinaryExpr, e ast.Expr) ast.Expr {
	if b.X == e {
		return b.Y
	}
	return b.X
}

func isNilIdent(e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && id.Name == "nil"
}

// pureChain reports whether e names a value without effects, so that
// the migration may write it twice (c.opt.Dial, (*p).Dial).
func pureChain(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return true
	case *ast.SelectorExpr:
		return pureChain(e.X)
	case *ast.StarExpr:
		return pureChain(e.X)
	}
	return false
}

// settleSiblings drops the sibling of each group whose uses it cannot
// rewrite: the group keeps its signature, with the reason.
func (x *extractor) settleSiblings() {
	for _, g := range x.fields.groups {
		sf := g.Sibling
		if sf == nil {
			continue
		}
		why := sf.blocked
		for _, c := range g.Calls {
			if sel, ok := ast.Unparen(c.Fun).(*ast.SelectorExpr); why == "" && (!ok || !pureChain(sel.X)) {
				why = fmt.Sprintf("it is called at %s through an expression with effects", x.position(c.Pos()).Short())
			}
		}
		if why == "" && len(g.Reads) > 0 {
			why = fmt.Sprintf("its value is read at %s, where a ctx form set alone would not be seen", x.position(g.Reads[0].Pos()).Short())
		}
		for _, v := range g.Values {
			if why == "" && !pairable(v) {
				why = fmt.Sprintf("the value stored at %s cannot be paired with a ctx field", v.At.Short())
			}
		}
		if why != "" {
			g.Sibling, g.Reads = nil, nil
			g.Keep = Skip{Code: SkipFieldKeepsSignature, Detail: fmt.Sprintf("%s is exported: code outside the module may set or call it, and it gets no ctx field beside it: %s", g.Lead().Short(), why)}
		}
	}
}

// pairable reports whether the store of v can store the ctx field too:
// an assignment (x.F, x.FContext = v, vc) or a keyed element of a
// composite literal (F: v, FContext: vc).
func pairable(v *FieldValue) bool {
	switch s := v.Store.(type) {
	case *ast.AssignStmt:
		if s.Tok != token.ASSIGN || len(s.Lhs) != len(s.Rhs) {
			return false
		}
		for i, r := range s.Rhs {
			if r == v.Expr {
				_, ok := s.Lhs[i].(*ast.SelectorExpr)
				return ok
			}
		}
		return false
	case *ast.KeyValueExpr:
		return true
	}
	return false
}

// CtxValue reports whether v is stored into a sibling group's ctx field
// as the ctx form of a module function; the others store nil there.
func (v *FieldValue) CtxValue() bool { return v.Kind == ValueFunc }
