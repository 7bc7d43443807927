package analysis

import (
	"fmt"
	"go/token"
	"slices"
	"sort"
)

// classify decides, once the blocking set is known, how each function
// changes when migrated and why a blocking one is left alone. It is the
// one classification both drivers use.
func classify(funcs []*Func) {
	markGeneratedCallers(funcs)
	for _, f := range funcs {
		if !f.ghost {
			f.Kind = kindOf(f)
		}
	}
	for _, u := range interfaceUnits(funcs) {
		if skip := ifaceUnitBlocked(u); !skip.IsZero() {
			for _, f := range u {
				if f.Skip.IsZero() {
					f.Skip = skip
				}
			}
		}
	}
	for _, f := range funcs {
		if f.ghost || !f.Blocking || !f.Skip.IsZero() {
			continue
		}
		switch {
		case f.outside != "":
			f.Skip = Skip{Code: SkipOutsideInterface, Detail: f.outside}
		case f.Kind == Sibling && f.nameTaken != "":
			f.Skip = Skip{Code: SkipNameTaken, Detail: f.nameTaken}
		case f.InterfaceMethod && f.declIface.Exported:
			f.Skip = Skip{Code: SkipExportedIface}
		}
	}
	cancellability(funcs)
	// A ctx form its ctx cannot reach would promise what it cannot keep.
	for _, f := range funcs {
		if !f.ghost && f.Closure == nil && f.Blocking && f.Skip.IsZero() && !f.Cancels {
			f.Skip = Skip{Code: SkipNotCancellable, Detail: f.Stuck.Explain()}
		}
	}
}

// kindOf decides how f is changed: a sibling ctx form for what code
// outside the module may call or hold (exported names of importable
// packages, functions used as values, methods bound to an exported
// interface), in place for the rest.
func kindOf(f *Func) Kind {
	if f.InterfaceMethod {
		return InPlace
	}
	if public(f) {
		return Sibling
	}
	return InPlace
}

// public reports whether something outside the module may call or hold
// f, or a file the migration must not change.
func public(f *Func) bool {
	return token.IsExported(f.Name) && f.Importable || f.UsedAsValue || len(f.Interfaces) > 0 || len(f.GeneratedCallers) > 0
}

// markGeneratedCallers notes, on every function, the generated files
// whose code calls or holds it.
func markGeneratedCallers(funcs []*Func) {
	for _, g := range funcs {
		if g.File == nil || !g.File.Generated {
			continue
		}
		for _, c := range g.Calls {
			for _, t := range c.Targets() {
				if !slices.Contains(t.GeneratedCallers, c.At.File) {
					t.GeneratedCallers = append(t.GeneratedCallers, c.At.File)
				}
			}
		}
	}
}

// interfaceUnits lists, for every blocking method of an interface that is
// not exported, the method followed by its implementations: they change
// together, in place.
func interfaceUnits(funcs []*Func) [][]*Func {
	impls := map[*Func][]*Func{}
	var methods []*Func
	for _, f := range funcs {
		if f.InterfaceMethod && !f.ghost && !f.declIface.Exported && f.Blocking {
			methods = append(methods, f)
		}
		for _, mi := range f.ifaces {
			if m := mi.Methods[f.Name]; m != nil {
				impls[m] = append(impls[m], f)
			}
		}
	}
	sort.Slice(methods, func(i, j int) bool { return methods[i].ID < methods[j].ID })
	var out [][]*Func
	for _, m := range methods {
		out = append(out, append([]*Func{m}, impls[m]...))
	}
	return out
}

// ifaceUnitBlocked says why an unexported interface method cannot change
// in place with its implementations (members[1:]); zero when it can.
func ifaceUnitBlocked(members []*Func) Skip {
	name := members[0].declIface.Short()
	for _, f := range members[1:] {
		var why string
		switch {
		case !f.Skip.IsZero():
			why = fmt.Sprintf("implements %s, whose implementation %s is left alone (%s)", name, f.ID, f.Skip)
		case f.outside != "":
			why = fmt.Sprintf("implements %s and %s: signature fixed", name, f.outside)
		case f.Done():
			why = fmt.Sprintf("implements %s, whose implementation %s already takes a context", name, f.ID)
		case public(f):
			why = fmt.Sprintf("implements %s with %s, which is public or used as a value: the interface cannot change in place", name, f.ID)
		}
		if why != "" {
			return Skip{Code: SkipIfaceUnit, Detail: why}
		}
	}
	return Skip{}
}
