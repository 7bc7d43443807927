package analysis

import (
	"go/ast"
	"go/types"
	"slices"
	"strings"
)

// A context.Background() that outlives the call is not one the call
// drops: a connection's reader started with
//
//	ctx, cancel := context.WithCancel(context.Background())
//	go c.read(ctx)
//
// or a lifetime kept in a field (c.ctx, c.cancel = context.With...) must
// go on after the caller's ctx ends. Such a Background is detached, as it
// is in a goroutine: it does not make the function block, and a ctx form
// gives it context.WithoutCancel(ctx), the caller's values without its
// cancellation. A Background held by a local variable is detached when
// every use of the variable outlives the call; one use the call waits on
// (an argument, a ctx.Done()) keeps it the call's.

// bgVar is a local variable that holds a context.Background() (or a
// context derived from one), and what its uses showed so far.
type bgVar struct {
	op       *Op
	uses     int
	attached bool
}

// background notes where the value of op, a context.Background() or TODO()
// at the top of the walk's stack, goes: kept beyond the call, it is
// detached now; held by a local variable, its uses decide.
func (w *bodyWalker) background(op *Op) {
	stored, v := w.backgroundHolder()
	switch {
	case stored:
		op.Detached = true
	case v != nil:
		if w.bgVars == nil {
			w.bgVars = map[*types.Var]*bgVar{}
		}
		w.bgVars[v] = &bgVar{op: op}
	}
}

// backgroundHolder follows the value at the top of the stack up through
// parentheses and the context package's With... functions: stored is
// true when it is kept beyond the call (a field through a pointer, a
// package variable, an argument of a go statement), v is the local
// variable that holds it, if any.
func (w *bodyWalker) backgroundHolder() (stored bool, v *types.Var) {
	i := len(w.stack) - 1
	expr := w.stack[i].(ast.Expr)
	for ; i > 0; i-- {
		switch p := w.stack[i-1].(type) {
		case *ast.ParenExpr:
			expr = p
			continue
		case *ast.CallExpr:
			if w.derivesContext(p) && len(p.Args) > 0 && p.Args[0] == expr {
				expr = p
				continue
			}
			return w.goArgument(i-1, p), nil
		case *ast.AssignStmt:
			return w.assignedTo(assignTarget(p.Lhs, p.Rhs, expr))
		case *ast.ValueSpec:
			return w.assignedTo(assignTarget(identExprs(p.Names), p.Values, expr))
		}
		// A composite literal is not followed: a local options value
		// read back for the call's ctx is as common as a struct that
		// keeps one.
		return false, nil
	}
	return false, nil
}

// derivesContext reports whether call is one of the context package's
// functions that derive a context from their first argument.
func (w *bodyWalker) derivesContext(call *ast.CallExpr) bool {
	fn := calleeFunc(w.info(), call)
	return fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "context" && strings.HasPrefix(fn.Name(), "With")
}

// goArgument reports whether call, at w.stack[i], is the call of a go
// statement: its arguments go to a goroutine.
func (w *bodyWalker) goArgument(i int, call *ast.CallExpr) bool {
	if i == 0 {
		return false
	}
	g, ok := w.stack[i-1].(*ast.GoStmt)
	return ok && g.Call == call
}

// assignTarget is the left-hand side that receives e, one of rhs.
func assignTarget(lhs, rhs []ast.Expr, e ast.Expr) ast.Expr {
	if len(rhs) == 1 && rhs[0] == e {
		return lhs[0]
	}
	for i, r := range rhs {
		if r == e && i < len(lhs) {
			return lhs[i]
		}
	}
	return nil
}

func identExprs(ids []*ast.Ident) []ast.Expr {
	out := make([]ast.Expr, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// assignedTo says what assigning a context to target means: a local
// variable holds it, "_" drops it, a field of a local struct value is
// the function's own, and anything else (a field through a pointer, a
// package variable, an element) keeps it.
func (w *bodyWalker) assignedTo(target ast.Expr) (stored bool, v *types.Var) {
	if target == nil {
		return false, nil
	}
	id, ok := ast.Unparen(target).(*ast.Ident)
	if !ok {
		return !w.localValue(target), nil
	}
	if id.Name == "_" {
		return false, nil
	}
	if v, ok := w.info().ObjectOf(id).(*types.Var); ok && isLocal(v) {
		return false, v
	}
	return true, nil
}

// localValue reports whether e is a field of a local variable of struct
// type, not reached through a pointer.
func (w *bodyWalker) localValue(e ast.Expr) bool {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	if s := w.info().Selections[sel]; s == nil || s.Indirect() {
		return false
	}
	if id, ok := ast.Unparen(sel.X).(*ast.Ident); ok {
		v, ok := w.info().Uses[id].(*types.Var)
		return ok && isLocal(v)
	}
	return w.localValue(sel.X)
}

// isLocal reports whether v is declared inside a function.
func isLocal(v *types.Var) bool {
	return v.Parent() != nil && v.Pkg() != nil && v.Parent() != v.Pkg().Scope()
}

// backgroundUse notes a use of a variable that holds a Background: id,
// at the top of the walk's stack.
func (w *bodyWalker) backgroundUse(id *ast.Ident) {
	v, ok := w.info().Uses[id].(*types.Var)
	if !ok {
		return
	}
	b := w.bgVars[v]
	if b == nil || w.assignedOver(id) {
		return
	}
	b.uses++
	if !w.outlivesCall() {
		b.attached = true
	}
}

// assignedOver reports whether id, at the top of the stack, is assigned
// to rather than read.
func (w *bodyWalker) assignedOver(id *ast.Ident) bool {
	as, ok := w.stack[len(w.stack)-2].(*ast.AssignStmt)
	if !ok {
		return false
	}
	for _, l := range as.Lhs {
		if l == id {
			return true
		}
	}
	return false
}

// outlivesCall reports whether the value at the top of the stack is used
// after the function returns: in detached code, handed to a go
// statement, kept in a field through a pointer, or returned.
func (w *bodyWalker) outlivesCall() bool {
	if w.detached() || IsReturned(w.stack[:len(w.stack)-1]) {
		return true
	}
	stored, _ := w.backgroundHolder()
	return stored
}

// settleBackgrounds marks detached the Backgrounds whose variables were
// used, and only beyond the call, once their scope is walked.
func (w *bodyWalker) settleBackgrounds() {
	for _, b := range w.bgVars {
		if b.uses > 0 && !b.attached {
			b.op.Detached = true
		}
	}
	clear(w.bgVars)
}

// escapes reports whether the body being walked keeps a variable that as
// sets (to a function literal) beyond the call: stores it in a field or
// a package variable, puts it in a composite literal, returns it, or
// hands it to a go statement or a function that calls it later
// (SetCloseHandler's h = func() {...}; c.handleClose = h).
func (w *bodyWalker) escapes(as *ast.AssignStmt) bool {
	if w.body == nil {
		return false
	}
	// Every call in the literal asks: the answer is found once.
	if e, ok := w.escaped[as]; ok {
		return e
	}
	if w.escaped == nil {
		w.escaped = map[*ast.AssignStmt]bool{}
	}
	e := w.findEscape(as)
	w.escaped[as] = e
	return e
}

// findEscape is escapes without the memo.
func (w *bodyWalker) findEscape(as *ast.AssignStmt) bool {
	vars := map[types.Object]bool{}
	for _, l := range as.Lhs {
		if id, ok := l.(*ast.Ident); ok && w.info().ObjectOf(id) != nil {
			vars[w.info().ObjectOf(id)] = true
		}
	}
	isVar := func(e ast.Expr) bool {
		id, ok := ast.Unparen(e).(*ast.Ident)
		return ok && vars[w.info().Uses[id]]
	}
	found := false
	ast.Inspect(w.body, func(n ast.Node) bool {
		if found {
			return false
		}
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, r := range n.Rhs {
				found = found || isVar(r) && len(n.Lhs) == len(n.Rhs) && !w.localTarget(n.Lhs[i])
			}
		case *ast.ReturnStmt:
			found = slices.ContainsFunc(n.Results, isVar)
		case *ast.KeyValueExpr:
			found = isVar(n.Value)
		case *ast.CompositeLit:
			found = slices.ContainsFunc(n.Elts, isVar)
		case *ast.GoStmt:
			found = slices.ContainsFunc(n.Call.Args, isVar)
		case *ast.CallExpr:
			if slices.ContainsFunc(n.Args, isVar) {
				fn := calleeFunc(w.info(), n)
				found = fn != nil && laterCallers[fn.FullName()]
			}
		}
		return !found
	})
	return found
}
