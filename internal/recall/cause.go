//go:build recall

package recall

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
)

// The causes of a miss: why the tool gave no ctx to a function the
// maintainers gave one, as the tool's model of the old version says.
const (
	// CauseNotInModel: the model has no such function (a file the build
	// constraints exclude on this platform, a main package).
	CauseNotInModel = "not in the model"
	// CauseDone: the model says it has a context already.
	CauseDone = "done already"
	// CauseFuncValue: not blocking; it (or a function it calls) calls
	// through a function-valued field, variable or receiver the model
	// resolves to nothing that blocks.
	CauseFuncValue = "not blocking: call through a func value"
	// CauseInterface: not blocking; it (or a callee) calls through an
	// interface whose implementations the model does not see blocking.
	CauseInterface = "not blocking: call through an interface"
	// CauseDetached: not blocking; what blocks runs apart from the call:
	// in a goroutine it starts, a closure it stores or returns.
	CauseDetached = "not blocking: blocks only detached (goroutine, stored or returned closure)"
	// CauseNothing: not blocking, and nothing it reaches waits: the
	// maintainers gave it a ctx for a uniform API (constructors, setters).
	CauseNothing = "not blocking: reaches no wait"
	// CauseLeftOut is the prefix of a blocking function the model leaves
	// out; the skip code's label follows.
	CauseLeftOut = "blocking, left out: "
	// CauseNotMigrated: blocking, not left out, but no phase gave it a
	// ctx (the migration stopped before its phase).
	CauseNotMigrated = "blocking, not migrated"
)

// Model indexes the tool's model of the old version by Key.
type Model struct {
	*analysis.Model
	byKey map[Key]*analysis.Func
}

// NewModel indexes m's functions declared outside test files (and its
// interface methods) by Key.
func NewModel(m *analysis.Model) *Model {
	md := &Model{Model: m, byKey: map[Key]*analysis.Func{}}
	for _, f := range m.Funcs {
		if f.TestFile {
			continue
		}
		md.byKey[md.keyOf(f)] = f
	}
	return md
}

// keyOf is f's Key: its package folder relative to the module root, its
// receiver without *.
func (m *Model) keyOf(f *analysis.Func) Key {
	pkg := "."
	if rest, ok := strings.CutPrefix(f.Package, m.Module+"/"); ok {
		pkg = rest
	}
	return Key{Pkg: pkg, Recv: strings.TrimPrefix(f.Recv, "*"), Name: f.Name}
}

// Lookup returns the function of the model with key k, or nil.
func (m *Model) Lookup(k Key) *analysis.Func { return m.byKey[k] }

// Cause says why the tool gave k no ctx, with a detail for people: the
// call, the skip reason.
func (m *Model) Cause(k Key) (cause, detail string) {
	f := m.byKey[k]
	switch {
	case f == nil:
		return CauseNotInModel, ""
	case f.Done():
		return CauseDone, doneDetail(f)
	case f.Blocking && !f.Skip.IsZero():
		return CauseLeftOut + f.Skip.Code.Label(), f.Skip.String()
	case f.Blocking:
		return CauseNotMigrated, "reaches " + f.Via.String()
	}
	return m.notBlocking(f)
}

// doneDetail says how f has a context already.
func doneDetail(f *analysis.Func) string {
	switch {
	case f.TakesContext:
		return "takes a context.Context"
	case f.CtxForm != nil:
		return "its ctx form " + f.CtxForm.Name() + " exists"
	}
	return "HTTP handler"
}

// notBlocking says why the model sees no wait behind f: the first
// function-valued call, else the first interface call, else the first
// goroutine that blocks, among f and the functions it calls (not in a
// goroutine), nearest first.
func (m *Model) notBlocking(f *analysis.Func) (cause, detail string) {
	var iface, detached string
	for _, g := range reached(f) {
		if d := m.funcValueCall(g); d != "" {
			return CauseFuncValue, d
		}
		if iface == "" {
			iface = m.interfaceCall(g)
		}
		if detached == "" {
			detached = detachedBlocking(g)
		}
	}
	switch {
	case iface != "":
		return CauseInterface, iface
	case detached != "":
		return CauseDetached, detached
	}
	return CauseNothing, ""
}

// reached are f and the module functions it calls and waits for,
// transitively (the targets of interface calls included), nearest first.
func reached(f *analysis.Func) []*analysis.Func {
	seen := map[*analysis.Func]bool{f: true}
	order := []*analysis.Func{f}
	for i := 0; i < len(order); i++ {
		for _, c := range order[i].Calls {
			if c.Detached {
				continue
			}
			for _, t := range c.Targets() {
				if t != nil && !seen[t] && t.Decl != nil {
					seen[t] = true
					order = append(order, t)
				}
			}
		}
	}
	return order
}

// funcValueCall is the first call in g's body through a variable, field
// or receiver of func type ("cmdable.Get calls c.process at
// commands.go:755"), or "".
func (m *Model) funcValueCall(g *analysis.Func) string {
	return m.firstCall(g, func(info *types.Info, call *ast.CallExpr) string {
		if v, ok := calleeObject(info, call.Fun).(*types.Var); ok {
			if _, isFunc := v.Type().Underlying().(*types.Signature); isFunc {
				return types.ExprString(call.Fun)
			}
		}
		return ""
	})
}

// interfaceCall is the first call in g's body of a method of an interface
// type other than error ("Client.Close calls io.Closer.Close at
// client.go:40"), or "".
func (m *Model) interfaceCall(g *analysis.Func) string {
	return m.firstCall(g, func(info *types.Info, call *ast.CallExpr) string {
		sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		if !ok {
			return ""
		}
		s := info.Selections[sel]
		if s == nil || s.Kind() != types.MethodVal || !types.IsInterface(s.Recv()) || sel.Sel.Name == "Error" {
			return ""
		}
		return types.TypeString(s.Recv(), types.RelativeTo(g.File.Pkg.Types)) + "." + sel.Sel.Name
	})
}

// firstCall describes the first call in g's body that callee names (the
// callee as people read it), or is "".
func (m *Model) firstCall(g *analysis.Func, callee func(*types.Info, *ast.CallExpr) string) string {
	info := g.File.Pkg.Info
	var found string
	ast.Inspect(g.Decl.Body, func(n ast.Node) bool {
		if found != "" {
			return false
		}
		if call, ok := n.(*ast.CallExpr); ok {
			if name := callee(info, call); name != "" {
				found = m.callAt(g, call, name)
			}
		}
		return true
	})
	return found
}

// calleeObject is the object a call's function expression names, or nil.
func calleeObject(info *types.Info, fun ast.Expr) types.Object {
	switch e := ast.Unparen(fun).(type) {
	case *ast.Ident:
		return info.Uses[e]
	case *ast.SelectorExpr:
		if s := info.Selections[e]; s != nil {
			return s.Obj()
		}
		return info.Uses[e.Sel]
	}
	return nil
}

// callAt is "g calls what at file:line".
func (m *Model) callAt(g *analysis.Func, call *ast.CallExpr, what string) string {
	return fmt.Sprintf("%s calls %s at %s", m.keyOf(g), what, m.Position(call.Lparen).Short())
}

// detachedBlocking is the first call of g that does not make g block
// because it runs apart (in a goroutine, a stored closure) and whose
// target blocks, or "".
func detachedBlocking(g *analysis.Func) string {
	for _, c := range g.Calls {
		if !c.Detached {
			continue
		}
		for _, t := range c.Targets() {
			if t != nil && t.Blocking {
				return fmt.Sprintf("%s runs %s apart at %s (it reaches %s)", g.Name, t.Name, c.At.Short(), t.Via)
			}
		}
	}
	return ""
}

// Wait says what stands behind a function the tool gave a ctx: whether it
// blocks and its ctx reaches a wait (ok), and which operation: the first
// one its ctx reaches ("conn I/O at redis/conn.go:696"), and the first one
// it does not reach, if any.
func (m *Model) Wait(k Key) (ok bool, detail string) {
	f := m.byKey[k]
	if f == nil {
		return false, "not in the model"
	}
	if !f.Blocking {
		return false, "the model sees it not blocking"
	}
	if o := firstCancellable(f); o != nil {
		detail = "ctx reaches " + o.Describe()
	} else {
		detail = "blocks on " + f.Via.String()
	}
	if f.Stuck.Call != "" {
		detail += "; not " + f.Stuck.Explain()
	}
	return f.Cancels, detail
}

// firstCancellable is the first blocking operation that a ctx can reach
// among f and the blocking functions it waits for, nearest first; nil
// when there is none.
func firstCancellable(f *analysis.Func) *analysis.Op {
	for _, g := range reached(f) {
		if g != f && !g.Blocking {
			continue
		}
		for _, o := range g.Ops {
			if o.Blocks() && o.Cancellable() {
				return o
			}
		}
	}
	return nil
}

// IfaceCovered reports whether the tool gave a ctx to a method named like
// the interface method k of a type of k's package that implements k's
// interface (the tool never changes an exported interface; it gives the
// implementations ctx forms). Types of other packages are not tried: the
// test variants of packages do not share type identities.
func (m *Model) IfaceCovered(k Key, tool map[Key]Gain) bool {
	im := m.byKey[k]
	if im == nil || !im.InterfaceMethod {
		return false
	}
	scope := im.Obj.Pkg().Scope()
	tn, _ := scope.Lookup(k.Recv).(*types.TypeName)
	if tn == nil {
		return false
	}
	iface, ok := tn.Type().Underlying().(*types.Interface)
	if !ok {
		return false
	}
	for tk := range tool {
		if tk.Pkg != k.Pkg || tk.Name != k.Name || tk.Recv == "" {
			continue
		}
		impl, _ := scope.Lookup(tk.Recv).(*types.TypeName)
		if impl == nil || types.IsInterface(impl.Type()) {
			continue
		}
		if types.Implements(impl.Type(), iface) || types.Implements(types.NewPointer(impl.Type()), iface) {
			return true
		}
	}
	return false
}
