package analysis

import "go/types"

// methodsByName indexes the concrete methods of funcs by name.
func methodsByName(funcs []*Func) map[string][]*Func {
	out := map[string][]*Func{}
	for _, f := range funcs {
		if f.Obj != nil && !f.InterfaceMethod && f.Obj.Signature().Recv() != nil {
			out[f.Name] = append(out[f.Name], f)
		}
	}
	return out
}

// overriders are the methods of the module that override f, a method
// that gets a ctx form beside it, in a type that embeds f's receiver:
// the ctx form is promoted to that type, and a call of it there goes
// around the override (a Transfer that embeds *Conn and declares its own
// ReadMsg gains Conn's ReadMsgContext, which does not verify what it
// reads). An override that gets a ctx form of its own in its unit is
// not one.
func (m *Model) overriders(f *Func) []*Func {
	if f.Kind != Sibling || f.Obj == nil || f.Obj.Signature().Recv() == nil {
		return nil
	}
	recv := namedOf(f.Obj.Signature().Recv().Type())
	if recv == nil {
		return nil
	}
	var out []*Func
	for _, g := range m.methods[f.Name] {
		s := namedOf(g.Obj.Signature().Recv().Type())
		if g == f || s == nil || sameNamed(s, recv) || !embeds(s, recv) {
			continue
		}
		if obj, index, _ := types.LookupFieldOrMethod(types.NewPointer(s), true, s.Obj().Pkg(), f.Name+"Context"); obj != nil && len(index) == 1 {
			continue // it declares the ctx form too
		}
		if u := m.unitOf[g]; u != nil && u.Kind == Sibling {
			continue // it gets its own, in its unit's phase
		}
		out = append(out, g)
	}
	return out
}

// embeds reports whether struct type s has t, or *t, as an embedded
// field, at any depth.
func embeds(s, t *types.Named) bool {
	obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(s), true, t.Obj().Pkg(), t.Obj().Name())
	v, ok := obj.(*types.Var)
	if !ok || !v.Embedded() {
		return false
	}
	n := namedOf(v.Type())
	return n != nil && sameNamed(n, t)
}

// sameNamed reports whether a and b name the same type, whatever package
// variant (a test variant, say) each comes from.
func sameNamed(a, b *types.Named) bool {
	ao, bo := a.Obj(), b.Obj()
	return ao.Name() == bo.Name() && ao.Pkg() != nil && bo.Pkg() != nil && ao.Pkg().Path() == bo.Pkg().Path()
}
