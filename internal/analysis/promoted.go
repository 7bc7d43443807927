package analysis

import "go/types"

// embedders maps each type of the module that another type's struct
// embeds (as T or *T) to the types that embed it directly. Only a type
// with methods of its own can override one, so the receivers of funcs are
// the types looked at (an embedding type with no methods passes nothing
// on to the types that embed it in turn).
func embedders(funcs []*Func) map[string][]*types.Named {
	out := map[string][]*types.Named{}
	seen := map[string]bool{}
	for _, f := range funcs {
		if f.Obj == nil || f.InterfaceMethod || f.Obj.Signature().Recv() == nil {
			continue
		}
		s := namedOf(f.Obj.Signature().Recv().Type())
		if s == nil || seen[namedKey(s)] {
			continue
		}
		seen[namedKey(s)] = true
		st, ok := s.Underlying().(*types.Struct)
		if !ok {
			continue
		}
		for i := range st.NumFields() {
			if v := st.Field(i); v.Embedded() {
				if t := namedOf(v.Type()); t != nil {
					out[namedKey(t)] = append(out[namedKey(t)], s)
				}
			}
		}
	}
	return out
}

// namedKey names a type whatever package variant (a test variant, say)
// it comes from.
func namedKey(n *types.Named) string {
	if n.Obj().Pkg() == nil {
		return n.Obj().Name()
	}
	return n.Obj().Pkg().Path() + "." + n.Obj().Name()
}

// overriders are the methods of the module that override f, a method
// that gets a ctx form beside it, in a type that embeds f's receiver
// (directly, or through types of embedders): the ctx form is promoted to that type, and a call of it
// there goes around the override (a Transfer that embeds *Conn and
// declares its own ReadMsg gains Conn's ReadMsgContext, which does not
// verify what it reads). An override that gets a ctx form of its own in
// its unit is not one.
func (m *Model) overriders(f *Func) []*Func {
	if f.Kind != Sibling || f.Obj == nil || f.Obj.Signature().Recv() == nil || len(m.embedders) == 0 {
		return nil
	}
	recv := namedOf(f.Obj.Signature().Recv().Type())
	if recv == nil {
		return nil
	}
	var out []*Func
	seen := map[string]bool{namedKey(recv): true}
	queue := []*types.Named{recv}
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		for _, s := range m.embedders[namedKey(t)] {
			if seen[namedKey(s)] {
				continue
			}
			seen[namedKey(s)] = true
			queue = append(queue, s)
			if g := m.override(s, f.Name); g != nil {
				out = append(out, g)
			}
		}
	}
	return out
}

// override is the method called name that s declares itself, when s
// does not declare its ctx form too and no unit gives it one.
func (m *Model) override(s *types.Named, name string) *Func {
	obj, index, _ := types.LookupFieldOrMethod(types.NewPointer(s), true, s.Obj().Pkg(), name)
	fn, ok := obj.(*types.Func)
	if !ok || len(index) != 1 {
		return nil
	}
	if obj, index, _ := types.LookupFieldOrMethod(types.NewPointer(s), true, s.Obj().Pkg(), name+"Context"); obj != nil && len(index) == 1 {
		return nil // it declares the ctx form too
	}
	g := m.FuncOf(fn)
	if g == nil {
		return nil
	}
	if u := m.unitOf[g]; u != nil && u.Kind == Sibling {
		return nil // it gets its own, in its unit's phase
	}
	return g
}
