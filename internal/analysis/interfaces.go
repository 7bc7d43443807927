package analysis

import (
	"go/token"
	"go/types"
	"maps"
	"slices"
	"sort"
	"strings"
)

// ifaceResolver matches methods with the module interfaces they
// implement. Signatures are compared as text, so that package variants
// (p and p [p.test]) compare equal.
type ifaceResolver struct {
	msets map[*types.Named]*types.MethodSet
	sigs  map[types.Type]string
}

func newIfaceResolver() *ifaceResolver {
	return &ifaceResolver{msets: map[*types.Named]*types.MethodSet{}, sigs: map[types.Type]string{}}
}

// resolve fills, for the interfaces given, the methods among candidates
// that implement them (Func.ifaces, and Func.Interfaces for exported
// ones), and the Impls of every dynamic call of funcs.
func (r *ifaceResolver) resolve(ifaces []*Interface, candidates, funcs []*Func) {
	byName := map[string][]*Func{}
	for _, f := range candidates {
		if f.Recv != "" && !f.InterfaceMethod {
			byName[f.Name] = append(byName[f.Name], f)
		}
	}
	sort.Slice(ifaces, func(i, j int) bool { return ifaces[i].Name < ifaces[j].Name })
	impls := map[*Func][]*Func{} // interface method -> implementations
	ifaceOf := map[*Func]*Interface{}
	for _, mi := range ifaces {
		local := hasUnexportedMethod(mi.Type)
		for _, mname := range slices.Sorted(maps.Keys(mi.Methods)) {
			m := mi.Methods[mname]
			ifaceOf[m] = mi
			for _, cand := range byName[mname] {
				// An interface with an unexported method has
				// implementations only in its own package.
				if local && cand.Package != m.Package || !r.implements(cand, mi.Type) {
					continue
				}
				impls[m] = append(impls[m], cand)
				if mi.Exported {
					cand.Interfaces = append(cand.Interfaces, mi)
				}
				cand.ifaces = append(cand.ifaces, mi)
			}
		}
	}
	for _, f := range funcs {
		for _, c := range f.Calls {
			mi := ifaceOf[c.Callee]
			if mi == nil || c.Value {
				continue
			}
			c.Iface = mi
			for _, impl := range impls[c.Callee] {
				// Test doubles are no target of the module's own calls.
				if !impl.TestFile || f.TestFile {
					c.Impls = append(c.Impls, impl)
				}
			}
		}
	}
	for _, f := range candidates {
		sort.Slice(f.Interfaces, func(i, j int) bool { return f.Interfaces[i].Name < f.Interfaces[j].Name })
	}
}

func hasUnexportedMethod(it *types.Interface) bool {
	for i := 0; i < it.NumMethods(); i++ {
		if !it.Method(i).Exported() {
			return true
		}
	}
	return false
}

// implements reports whether cand's receiver type (or a pointer to it) has
// every method of iface.
func (r *ifaceResolver) implements(cand *Func, iface *types.Interface) bool {
	recv := cand.Obj.Signature().Recv()
	named := namedOf(recv.Type())
	if named == nil {
		return false
	}
	mset := r.methodSet(named)
	for i := 0; i < iface.NumMethods(); i++ {
		want := iface.Method(i)
		sel := mset.Lookup(want.Pkg(), want.Name())
		if sel == nil || r.sigString(sel.Obj().Type()) != r.sigString(want.Type()) {
			return false
		}
	}
	return true
}

func (r *ifaceResolver) methodSet(n *types.Named) *types.MethodSet {
	if ms, ok := r.msets[n]; ok {
		return ms
	}
	ms := types.NewMethodSet(types.NewPointer(n))
	r.msets[n] = ms
	return ms
}

// sigString prints a signature with full package paths, without the
// receiver and without parameter and result names (an implementation may
// name them differently from its interface).
func (r *ifaceResolver) sigString(t types.Type) string {
	if s, ok := r.sigs[t]; ok {
		return s
	}
	sig := t.(*types.Signature)
	plain := types.NewSignatureType(nil, nil, nil, unnamed(sig.Params()), unnamed(sig.Results()), sig.Variadic())
	s := types.TypeString(plain, func(p *types.Package) string { return p.Path() })
	r.sigs[t] = s
	return s
}

// unnamed is a tuple of the same types without names.
func unnamed(t *types.Tuple) *types.Tuple {
	vars := make([]*types.Var, t.Len())
	for i := range vars {
		vars[i] = types.NewParam(token.NoPos, nil, "", t.At(i).Type())
	}
	return types.NewTuple(vars...)
}

// NamedInterface is an interface type with the name people know it by
// ("io.Reader").
type NamedInterface struct {
	Name  string
	Iface *types.Interface
}

// ExportedInterfaces lists pkg's exported interface types that are plain
// method sets with at least one method: the interfaces whose methods fix
// the signature of an implementation outside pkg.
func ExportedInterfaces(pkg *types.Package) []NamedInterface {
	var out []NamedInterface
	scope := pkg.Scope()
	for _, n := range scope.Names() {
		tn, ok := scope.Lookup(n).(*types.TypeName)
		if !ok || !tn.Exported() || tn.IsAlias() {
			continue
		}
		if it, ok := tn.Type().Underlying().(*types.Interface); ok && it.IsMethodSet() && it.NumMethods() > 0 {
			out = append(out, NamedInterface{pkg.Name() + "." + n, it})
		}
	}
	return out
}

// outsideInterfaces marks the methods of p whose signature an interface
// from outside the module fixes: error, and the exported interfaces of
// every package p imports directly. The smallest such interface names the
// reason best (io.Reader, not io.ReadWriteCloser); ties go to the name.
func outsideInterfaces(p *Package, modPath string, funcs []*Func) {
	byMethod := map[string][]NamedInterface{}
	add := func(ni NamedInterface) {
		for i := 0; i < ni.Iface.NumMethods(); i++ {
			m := ni.Iface.Method(i).Name()
			byMethod[m] = append(byMethod[m], ni)
		}
	}
	add(NamedInterface{"error", types.Universe.Lookup("error").Type().Underlying().(*types.Interface)})
	for _, imp := range p.Types.Imports() {
		if !IsModulePath(imp.Path(), modPath) {
			for _, ni := range ExportedInterfaces(imp) {
				add(ni)
			}
		}
	}
	for _, list := range byMethod {
		sort.Slice(list, func(i, j int) bool {
			if a, b := list[i].Iface.NumMethods(), list[j].Iface.NumMethods(); a != b {
				return a < b
			}
			return list[i].Name < list[j].Name
		})
	}
	for _, f := range funcs {
		if f.Recv == "" || f.InterfaceMethod || f.TestFile || byMethod[f.Name] == nil {
			continue
		}
		named := namedOf(f.Obj.Signature().Recv().Type())
		if named == nil || named.TypeParams().Len() > 0 {
			continue
		}
		for _, o := range byMethod[f.Name] {
			if types.Implements(types.NewPointer(named), o.Iface) {
				f.outside = o.Name
				break
			}
		}
	}
}

// IsModulePath reports whether the package path belongs to module mod.
// When mod is "" (unknown), any path whose first element has a dot counts
// (it is not the standard library).
func IsModulePath(path, mod string) bool {
	if mod == "" {
		first, _, _ := strings.Cut(path, "/")
		return strings.Contains(first, ".")
	}
	return path == mod || strings.HasPrefix(path, mod+"/")
}
