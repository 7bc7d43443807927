// Package analysis finds what blocks in a loaded module: the function
// index, the static call graph, the sinks, the blocking set, the units to
// migrate with their change kind, the reasons for leaving functions alone,
// and the context source at each call site.
package analysis

import (
	"fmt"
	"sort"
)

// Position is a place in the module, File relative to the module root.
type Position struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
}

func (p Position) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Short is "file:line".
func (p Position) Short() string { return fmt.Sprintf("%s:%d", p.File, p.Line) }

// Kind says how a unit is changed.
type Kind string

const (
	// Sibling adds FooContext next to Foo and keeps Foo as a shim.
	Sibling Kind = "sibling"
	// InPlace adds ctx as the first parameter and updates every call site.
	InPlace Kind = "in-place"
)

// SinkCall is a call to a sink inside a function.
type SinkCall struct {
	Pos  Position `json:"pos"`
	Rule Rule     `json:"rule"`
}

// Describe is "net/http.Get at api/client.go:42".
func (s SinkCall) Describe() string {
	return shortCall(s.Rule.Call) + " at " + s.Pos.Short()
}

// Call is a call from one module function to another.
type Call struct {
	Pos Position `json:"pos"`
	// Callee is the ID of the called function; for a call through an
	// interface, the interface method ("example.com/m.Fetcher.Fetch").
	Callee string `json:"callee"`
	// Interface is the interface's qualified name for a dynamic call.
	Interface string `json:"interface,omitempty"`
	// Impls are the IDs of the module's implementations a dynamic call may
	// reach.
	Impls []string `json:"impls,omitempty"`
	// Source is the expression that gives a context at this call site when
	// the caller is not migrated: "ctx", "r.Context()", "t.Context()",
	// "cmd.Context()" or "context.TODO()".
	Source string `json:"source"`
	// Value is true when the callee is not called here but passed as a
	// function value to a call (a callback): the call it is passed to
	// runs it.
	Value bool `json:"value,omitempty"`
}

// Func is a function or method declared in the module.
type Func struct {
	// ID is the qualified name as runtime stacks and profiles print it:
	// "example.com/shop/api.(*Client).Fetch", "example.com/shop/api.New".
	ID string `json:"id"`
	// Name is the declared name; Recv the receiver type ("*Client",
	// "Client", "" for functions).
	Name string `json:"name"`
	Recv string `json:"recv,omitempty"`
	// Package is the import path ("p_test" for external tests).
	Package string   `json:"package"`
	Pos     Position `json:"pos"`
	// Also are further declarations of the same function in files excluded
	// by build constraints (shell_windows.go beside shell_unix.go).
	Also []Position `json:"also,omitempty"`
	// Exported is true when the name is exported (and so is the receiver).
	Exported bool `json:"exported"`
	// Importable is false in main packages and below internal/.
	Importable bool `json:"importable"`
	// TestFile is true for functions declared in _test.go files.
	TestFile bool `json:"testFile,omitempty"`
	// TakesContext is true when a parameter is a context.Context.
	TakesContext bool `json:"takesContext,omitempty"`
	// Handler is true for HTTP handlers (a *http.Request parameter): they
	// have a context already, r.Context(), and their calls get it.
	Handler bool `json:"handler,omitempty"`
	// HasCtxForm is true when FooContext already exists as Foo's ctx form.
	HasCtxForm bool `json:"hasCtxForm,omitempty"`
	// InterfaceMethod is true for a method declared in an interface type.
	InterfaceMethod bool `json:"interfaceMethod,omitempty"`
	// UsedAsValue is true when the function is referred to other than in a
	// call (a method value, a func passed as an argument).
	UsedAsValue bool `json:"usedAsValue,omitempty"`
	// Interfaces are the module's exported interfaces this method helps
	// satisfy.
	Interfaces []string `json:"interfaces,omitempty"`
	// Sinks are the sink calls in the body, in source order.
	Sinks []SinkCall `json:"sinks,omitempty"`
	// Calls are the calls to other module functions, in source order.
	Calls []Call `json:"calls,omitempty"`
	// Callers counts call sites in the module that call this function.
	Callers int `json:"callers,omitempty"`
	// Blocking is true when the function reaches a blocking sink.
	Blocking bool `json:"blocking,omitempty"`
	// Via is the first sink the function reaches, for people.
	Via string `json:"via,omitempty"`
	// Skip is why the function is left alone; "" when it is not.
	Skip string `json:"skip,omitempty"`

	key       string         // file:offset of the name, the identity across package variants
	outside   string         // an outside interface fixing the signature ("io.Reader")
	nameTaken string         // why FooContext cannot be the ctx form's name
	ifaces    []*moduleIface // module interfaces this method helps satisfy
}

// Unit is a set of declarations that must change together.
type Unit struct {
	// ID is the lead function's ID.
	ID string `json:"id"`
	// Funcs are the IDs of every function in the unit, lead first.
	Funcs []string `json:"funcs"`
	// Package is the lead function's import path.
	Package string `json:"package"`
	Kind    Kind   `json:"kind"`
	// Exported is true when the unit is part of the public API.
	Exported bool `json:"exported"`
	// Callees are the IDs of the units this unit calls.
	Callees []string `json:"callees,omitempty"`
	// Via is the first sink the unit reaches.
	Via string `json:"via,omitempty"`
	// SinkCalls counts the sink calls reached (saturating), the static heat.
	SinkCalls int `json:"sinkCalls"`
	// Callers counts the call sites that call the unit.
	Callers int `json:"callers"`
	// Risks are notes for the reviewer.
	Risks []string `json:"risks,omitempty"`
}

// Result is the analysed module.
type Result struct {
	// Module is the module path; GoVersion its go line.
	Module    string `json:"module"`
	GoVersion string `json:"goVersion"`
	// Funcs are every function of the module, sorted by ID.
	Funcs []*Func `json:"funcs"`
	// Units are the units to migrate, sorted by ID.
	Units []*Unit `json:"units"`

	byID map[string]*Func
}

// Func returns the function with the given ID, or nil.
func (r *Result) Func(id string) *Func { return r.byID[id] }

// Summary counts what the analysis found, outside test files.
type Summary struct {
	// Blocking counts the blocking functions that have no context yet,
	// migrated or skipped.
	Blocking int `json:"blocking"`
	// Done counts functions that already take a context or have a ctx form.
	Done int `json:"contextAware"`
	// ToMigrate counts the functions in units (implementations of an
	// unexported interface change with it, blocking or not).
	ToMigrate int `json:"toMigrate"`
	// LeftOut counts the blocking functions no unit migrates.
	LeftOut int `json:"leftOut"`
	// Units counts units.
	Units int `json:"units"`
	// Skipped counts skipped blocking functions by reason.
	Skipped map[string]int `json:"skipped"`
}

// Summary counts the result.
func (r *Result) Summary() Summary {
	s := Summary{Skipped: map[string]int{}, Units: len(r.Units)}
	for _, u := range r.Units {
		for _, id := range u.Funcs {
			if !r.byID[id].InterfaceMethod {
				s.ToMigrate++
			}
		}
	}
	for _, f := range r.Funcs {
		if f.TestFile || f.InterfaceMethod {
			continue
		}
		if f.TakesContext || f.HasCtxForm || f.Handler {
			s.Done++
			continue
		}
		if !f.Blocking {
			continue
		}
		s.Blocking++
		if f.Skip != "" {
			s.LeftOut++
			s.Skipped[skipCategory(f.Skip)]++
		}
	}
	return s
}

// LeftOut returns the blocking functions that no unit migrates, with their
// reasons, sorted by ID. Test-file functions are not listed: their call
// sites get a context source instead.
func (r *Result) LeftOut() []*Func {
	var out []*Func
	for _, f := range r.Funcs {
		if f.Blocking && f.Skip != "" && !f.TestFile && !f.InterfaceMethod {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// FixedInterfaces returns the methods of exported interfaces that block
// through an implementation: they never change, so calls through them stay
// sync. Sorted by ID.
func (r *Result) FixedInterfaces() []*Func {
	var out []*Func
	for _, f := range r.Funcs {
		if f.Blocking && f.Skip != "" && f.InterfaceMethod {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
