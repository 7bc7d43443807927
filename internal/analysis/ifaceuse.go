package analysis

import (
	"go/types"
	"slices"
	"strings"
)

// InterfaceUse is what a migration does around one exported interface of
// the module whose methods block: the interface never changes, the
// module's implementations get ctx forms, and a call through it that a
// ctx form makes uses the implementation's ctx form when the dynamic
// value has one (an unexported helper asserting an anonymous interface,
// no new API). apply --upgrade-interfaces also declares the optional
// interface, named OptionalName, for implementations outside the module.
type InterfaceUse struct {
	Iface *Interface
	// At is where the interface is declared.
	At Position
	// Methods are the methods that block without a ctx: the methods of
	// the optional interface, as FooContext.
	Methods []*Func
	// Implementations are the module's types (outside test files) whose
	// methods implement them, as receiver names ("*conn").
	Implementations []string
	// Calls are the calls through the interface, in functions that the
	// migration gives a ctx (each becomes cancellable when the value has
	// the ctx form); Callers are those functions.
	Calls   []*Call
	Callers []*Func
	// OptionalName is the optional interface's name, "" when that name
	// is taken by something else in the package.
	OptionalName string
}

// InterfaceUses are the exported interfaces declared in the module that
// have a blocking method, sorted by name.
func (m *Model) InterfaceUses() []*InterfaceUse {
	byIface := map[*Interface]*InterfaceUse{}
	var out []*InterfaceUse
	for _, it := range m.Interfaces {
		if !it.Exported {
			continue
		}
		u := &InterfaceUse{Iface: it, At: m.Position(it.Named.Obj().Pos()), OptionalName: optionalName(it)}
		for _, f := range it.Methods {
			if f.Blocking && !f.TakesContext {
				u.Methods = append(u.Methods, f)
			}
		}
		if len(u.Methods) == 0 {
			continue
		}
		slices.SortFunc(u.Methods, func(a, b *Func) int { return strings.Compare(a.Name, b.Name) })
		byIface[it] = u
		out = append(out, u)
	}
	for _, f := range m.Funcs {
		m.addInterfaceUse(f, byIface)
	}
	for _, u := range out {
		slices.Sort(u.Implementations)
		u.Implementations = slices.Compact(u.Implementations)
	}
	slices.SortFunc(out, func(a, b *InterfaceUse) int { return strings.Compare(a.Iface.Name, b.Iface.Name) })
	return out
}

// addInterfaceUse records f as an implementation of the interfaces it
// helps satisfy, and its calls through them when f gets a ctx.
func (m *Model) addInterfaceUse(f *Func, byIface map[*Interface]*InterfaceUse) {
	for _, it := range f.Interfaces {
		if u := byIface[it]; u != nil && f.Recv != "" && !f.TestFile {
			u.Implementations = append(u.Implementations, f.Recv)
		}
	}
	if m.UnitOf(f) == nil {
		return
	}
	for _, c := range f.Calls {
		u := byIface[c.Iface]
		if u == nil || c.Detached || !c.Callee.Blocking {
			continue
		}
		u.Calls = append(u.Calls, c)
		if len(u.Callers) == 0 || u.Callers[len(u.Callers)-1] != f {
			u.Callers = append(u.Callers, f)
		}
	}
}

// optionalName is the name of it's optional ctx interface, "" when the
// package declares that name already as something other than an
// interface.
func optionalName(it *Interface) string {
	obj := it.Named.Obj()
	name := obj.Name() + "Context"
	if other := obj.Pkg().Scope().Lookup(name); other != nil {
		if _, ok := other.Type().Underlying().(*types.Interface); !ok {
			return ""
		}
	}
	return name
}
