package verify

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/parallel"

	"golang.org/x/tools/go/packages"
)

// A package that imports a changed one compiles as before when the
// changed package's API, as go/types sees it, is the same or only gains
// names that cannot collide in it: such an importer need not be
// type-checked again for a single phase. keepImporters decides; what it
// keeps is not re-checked, so it is conservative:
//
//   - every exported package-level object of each changed package keeps
//     its declaration (kind, type, constant value), every named type
//     (exported or not: importers reach unexported types through exported
//     ones) its underlying type and its exported methods;
//   - new exported package-level names count only where an importer
//     dot-imports the package (the one place they could collide);
//   - new exported methods count only where a struct type of an importer
//     (or of the changed packages) embeds the type that gains them: a
//     promoted method can make a selector ambiguous or collide with
//     another embedded field's. No such embedding at all keeps the
//     importers;
//   - packages outside the module are always checked again (the load
//     kept no syntax of theirs to look for dot-imports in), and their
//     struct types count like the module's.
//
// Vet needs no kept package: it analyses the packages of the changed
// folders, which are checked again with everything they import (facts
// flow from imports to importers only).
//
// Nor does a check need a plain package whose test variant it checks
// again, when both type-checked at load (see covered): the variant
// compiles the same files and the test files beside them, and vet and
// apidiff read the variant. Only an importer needs the plain package,
// and then it is checked again with the importers.

// needed are the stale packages the checks need: those that hold a
// changed file or sit in a changed folder (vet's packages, the external
// tests among them), those outside the module, and every stale package
// these import; a plain package covered by its test variant only when
// another of them imports it.
func (s *incremental) needed() map[*packages.Package]bool {
	dirs := map[string]bool{}
	for name := range s.contents {
		dirs[filepath.Dir(name)] = true
	}
	covered := s.covered()
	need := map[*packages.Package]bool{}
	var reach func(n *packages.Package)
	reach = func(n *packages.Package) {
		if need[n] || !s.stale[n] {
			return
		}
		need[n] = true
		for _, ip := range n.Imports {
			reach(ip)
		}
	}
	for n, stale := range s.stale {
		if !stale {
			continue
		}
		inDir := len(n.CompiledGoFiles) > 0 && dirs[filepath.Dir(n.CompiledGoFiles[0])]
		if !s.inModule(n) || s.changes(n) || inDir || len(s.added[n]) > 0 {
			if covered[n] {
				s.viaVariant[n] = true
				continue
			}
			reach(n)
		}
	}
	for n := range need {
		delete(s.viaVariant, n) // an importer needs it
	}
	return need
}

// leftToVariants counts the plain packages that stand as loaded because
// their test variants were checked again.
func (s *incremental) leftToVariants() int {
	n := 0
	for p := range s.viaVariant {
		if s.checked[p] == p {
			n++
		}
	}
	return n
}

// covered are the stale plain packages of the module whose in-package
// test variant is stale too, neither of them with errors at load: every
// error of the plain package in the phase's code is one of the
// variant's, since the code the phase writes outside test files refers
// only to what those files declare (the plain package compiled before).
func (s *incremental) covered() map[*packages.Package]bool {
	variant := map[string]*packages.Package{}
	for n, stale := range s.stale {
		if stale && n.ForTest != "" && n.ForTest == n.PkgPath && len(n.Errors) == 0 {
			variant[n.PkgPath] = n
		}
	}
	out := map[*packages.Package]bool{}
	for n, stale := range s.stale {
		if stale && n.ForTest == "" && len(n.Errors) == 0 && variant[n.PkgPath] != nil && s.inModule(n) {
			out[n] = true
		}
	}
	return out
}

// keepImporters says why the stale packages of rest, which import the
// changed packages (all checked again in first), must be checked again
// too; "" when they compile as before (see the comment above).
func (s *incremental) keepImporters(first, rest map[*packages.Package]bool) string {
	grown := map[string]bool{} // named types that gain exported methods
	added := map[string]bool{} // packages that gain exported names
	for n := range first {
		if !s.inModule(n) || !s.changes(n) {
			continue
		}
		g, more, why := apiGrowth(n.Types, s.checked[n].Types)
		if why != "" {
			return why
		}
		for _, k := range g {
			grown[k] = true
		}
		if more {
			added[n.PkgPath] = true
		}
	}
	if len(grown) > 0 {
		if why := s.embedding(grown); why != "" {
			return why
		}
	}
	for n := range rest {
		if why := dotImports(n, added); why != "" {
			return why
		}
	}
	return ""
}

// embedding says where a stale package embeds a type of grown (those
// outside the module are checked again by now, with their syntax): the
// first such package by ID, so that the reason reads the same each run.
func (s *incremental) embedding(grown map[string]bool) string {
	var pkgs []*packages.Package
	for n, stale := range s.stale {
		if stale {
			pkgs = append(pkgs, s.now(n))
		}
	}
	slices.SortFunc(pkgs, func(a, b *packages.Package) int { return strings.Compare(a.ID, b.ID) })
	for _, why := range parallel.Map(len(pkgs), func(i int) string { return embedsGrown(pkgs[i], grown) }) {
		if why != "" {
			return why
		}
	}
	return ""
}

// qualified writes packages by path in type strings, so that the old and
// the new version of a package print alike.
func qualified(p *types.Package) string { return p.Path() }

// apiGrowth compares a package before (old) and after (cur) the phase:
// it returns the named types that gain exported methods ("path.Name"),
// whether it gains exported package-level names, and why its importers
// may compile differently ("" when they cannot, but for those).
func apiGrowth(old, cur *types.Package) (grown []string, added bool, why string) {
	if old == nil || cur == nil {
		return nil, false, "a changed package has no types"
	}
	os, cs := old.Scope(), cur.Scope()
	for _, name := range os.Names() {
		o := os.Lookup(name)
		_, isType := o.(*types.TypeName)
		if !o.Exported() && !isType {
			continue
		}
		c := cs.Lookup(name)
		if c == nil {
			return nil, false, fmt.Sprintf("%s.%s is gone", old.Path(), name)
		}
		g, why := sameObject(o, c)
		if why != "" {
			return nil, false, why
		}
		if g {
			grown = append(grown, old.Path()+"."+name)
		}
	}
	for _, name := range cs.Names() {
		if os.Lookup(name) == nil && ast.IsExported(name) {
			added = true
		}
	}
	return grown, added, ""
}

// sameObject compares a package-level object before and after the phase;
// grown is true when it is a named type that gains exported methods.
func sameObject(o, c types.Object) (grown bool, why string) {
	name := o.Pkg().Path() + "." + o.Name()
	if types.ObjectString(o, qualified) != types.ObjectString(c, qualified) ||
		types.TypeString(o.Type(), qualified) != types.TypeString(c.Type(), qualified) {
		return false, name + " changes"
	}
	if oc, ok := o.(*types.Const); ok {
		if cc, ok := c.(*types.Const); !ok || oc.Val().ExactString() != cc.Val().ExactString() {
			return false, name + " changes"
		}
	}
	tn, isType := o.(*types.TypeName)
	on, ok1 := o.Type().(*types.Named)
	cn, ok2 := c.Type().(*types.Named)
	if !isType || tn.IsAlias() || !ok1 || !ok2 {
		return false, ""
	}
	if types.TypeString(on.Underlying(), qualified) != types.TypeString(cn.Underlying(), qualified) {
		return false, name + " changes"
	}
	return sameMethods(name, on, cn)
}

// sameMethods compares the exported methods of the named type name
// before (on) and after (cn) the phase.
func sameMethods(name string, on, cn *types.Named) (grown bool, why string) {
	methods := map[string]string{}
	for m := range cn.Methods() {
		if m.Exported() {
			methods[m.Name()] = types.ObjectString(m, qualified)
		}
	}
	kept := 0
	for m := range on.Methods() {
		if !m.Exported() {
			continue
		}
		if methods[m.Name()] != types.ObjectString(m, qualified) {
			return false, fmt.Sprintf("%s.%s changes", name, m.Name())
		}
		kept++
	}
	return len(methods) > kept, ""
}

// embedsGrown says where a struct type of the package p embeds a type of
// grown ("" when nowhere), the first such field by position. Each
// embedded field, of local and anonymous struct types too, is a
// definition in p's type information (go/types records the field it
// declares), so the definitions are read rather than the syntax; aliases
// count through the field's type.
func embedsGrown(p *packages.Package, grown map[string]bool) string {
	if p.TypesInfo == nil {
		return p.ID + " has no type information"
	}
	var found []token.Position
	var key []string
	for id, obj := range p.TypesInfo.Defs {
		v, ok := obj.(*types.Var)
		if !ok || !v.Embedded() {
			continue
		}
		if k := namedKey(v.Type()); grown[k] {
			found = append(found, p.Fset.Position(id.Pos()))
			key = append(key, k)
		}
	}
	if len(found) == 0 {
		return ""
	}
	first := 0
	for i := range found {
		if comparePosition(found[i], found[first]) < 0 {
			first = i
		}
	}
	return fmt.Sprintf("%s embeds %s, which gains methods", found[first], key[first])
}

// comparePosition orders positions by file, line and column.
func comparePosition(a, b token.Position) int {
	return cmp.Or(strings.Compare(a.Filename, b.Filename), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
}

// namedKey is "path.Name" of the named type t is, or points to.
func namedKey(t types.Type) string {
	if ptr, ok := types.Unalias(t).(*types.Pointer); ok {
		t = ptr.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return ""
	}
	return n.Obj().Pkg().Path() + "." + n.Obj().Name()
}

// dotImports says where the package n dot-imports a package of added.
func dotImports(n *packages.Package, added map[string]bool) string {
	if len(added) == 0 {
		return ""
	}
	if len(n.Syntax) < len(n.CompiledGoFiles) {
		return n.ID + " was loaded without its syntax"
	}
	for _, f := range n.Syntax {
		for _, spec := range f.Imports {
			path, err := strconv.Unquote(spec.Path.Value)
			if err == nil && added[path] && spec.Name != nil && spec.Name.Name == "." {
				return fmt.Sprintf("%s dot-imports %s, which gains names", n.Fset.Position(spec.Pos()), path)
			}
		}
	}
	return ""
}
