// Package analysis owns the facts about a module: its functions (keyed by
// *types.Func), the operations in their bodies that block or take a
// context (sinks and consumers), the calls between them, which of them
// block, how each is classified (done, left out with a typed reason, or
// migrated as a sibling ctx form or in place), the units that must change
// together, and the context source at each call site.
//
// The facts are computed once, by one set of functions, under two drivers:
// Analyze, over a whole loaded module (plan, apply, status), and
// AnalyzePackage, over one package with the facts of its imports (the
// go/analysis analyzer behind check and smartmigrate-vet). Both extract
// with the same code, propagate with the same fixpoint and classify with
// the same rules; they differ only in what they can see (see
// AnalyzePackage).
package analysis

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// Position is a place in the module, File relative to the module root.
type Position struct {
	File string
	Line int
	Col  int
}

func (p Position) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Compare orders positions by file, line and column, as cmp.Compare does.
func (p Position) Compare(q Position) int {
	return cmp.Or(cmp.Compare(p.File, q.File), cmp.Compare(p.Line, q.Line), cmp.Compare(p.Col, q.Col))
}

// Short is "file:line".
func (p Position) Short() string { return fmt.Sprintf("%s:%d", p.File, p.Line) }

// IsValid reports whether p names a place.
func (p Position) IsValid() bool { return p.File != "" }

// Kind says how a unit is changed.
type Kind string

const (
	// Sibling adds FooContext next to Foo and keeps Foo as a shim.
	Sibling Kind = "sibling"
	// InPlace adds ctx as the first parameter and updates every call site.
	InPlace Kind = "in-place"
)

// Rewrite names the rewrite that makes an operation context-aware; the
// rewrite package executes it.
type Rewrite int

const (
	// RewriteNone: no rewrite exists; the operation is reported.
	RewriteNone Rewrite = iota
	// RewriteSibling calls Rule.Sibling (same package or same receiver)
	// with ctx first and the other arguments as they are.
	RewriteSibling
	// RewriteBackground replaces context.Background()/TODO() by ctx.
	RewriteBackground
	// RewriteHTTP turns http.Get/Head/Post/PostForm (and the *http.Client
	// methods) into NewRequestWithContext and Do, as a statement.
	RewriteHTTP
	// RewriteDialer turns net.Dial/DialTimeout into
	// (&net.Dialer{...}).DialContext.
	RewriteDialer
	// RewriteListenConfig turns net.Listen/ListenPacket into
	// (&net.ListenConfig{}).Listen/ListenPacket.
	RewriteListenConfig
	// RewriteResolver turns net.LookupX into net.DefaultResolver.LookupX.
	RewriteResolver
	// RewriteBeginTx turns Begin() into BeginTx(ctx, nil).
	RewriteBeginTx
	// RewriteCallback replaces a function value that has a ctx form, passed
	// as an argument, by a closure calling the ctx form with ctx.
	RewriteCallback
	// RewriteConnIO binds ctx to the connection of a read or write for the
	// duration of the function: when ctx ends, the connection's deadline
	// expires, and the function returns an error wrapping ctx's.
	RewriteConnIO
	// RewriteSleep turns time.Sleep (and a timer receive) into a select
	// on the timer and ctx.Done().
	RewriteSleep
	// RewriteRecv gives a channel receive a ctx.Done() case.
	RewriteRecv
	// RewriteSend gives a channel send a ctx.Done() case.
	RewriteSend
	// RewriteSelect gives a select a ctx.Done() case.
	RewriteSelect
)

// Rule says what an operation is and how it becomes context-aware.
type Rule struct {
	// Call is the callee as types.Func.FullName prints it:
	// "net/http.Get", "(*database/sql.DB).Query".
	Call string `json:"call"`
	// Form is the context-aware form, for people:
	// "(*database/sql.DB).QueryContext".
	Form string `json:"form"`
	// Rewrite is the rewrite that applies.
	Rewrite Rewrite `json:"rewrite"`
	// Sibling is the name to call for RewriteSibling and RewriteCallback.
	Sibling string `json:"sibling,omitempty"`
	// Type, Method, Timeout and Lead spell the rewrites of the net
	// packages: the config type whose Method to call
	// ((&net.Dialer{}).DialContext), whether the last argument becomes
	// its Timeout field, and a literal argument to put after ctx
	// (net.DefaultResolver.LookupIP(ctx, "ip", host)); for RewriteHTTP,
	// Method is the http.MethodX constant and Type what the request's
	// body is ("" none, "body" the call's last two arguments, a content
	// type and a reader, "form" url.Values).
	Type    string `json:"-"`
	Method  string `json:"-"`
	Timeout bool   `json:"-"`
	Lead    string `json:"-"`
	// Consumer is true for calls that take a context but never block
	// (log/slog): rewritten in functions migrated anyway, never a reason
	// to migrate.
	Consumer bool `json:"consumer,omitempty"`
	// Wait is the kind of wait for blocking that has no context-aware
	// form to call (connection I/O, sleeps, channel waits); "" for sinks.
	Wait WaitKind `json:"wait,omitempty"`
}

// Blocks reports whether an operation with this rule makes a function
// blocking.
func (r *Rule) Blocks() bool { return !r.Consumer }

// Op is an operation in a function body that blocks or takes a context:
// a call with a context-aware form, a context.Background() that drops the
// caller's context, a log call that can carry it, or a callback whose
// ctx form exists.
type Op struct {
	// Node is the *ast.CallExpr; for RewriteCallback the function value
	// (*ast.Ident or *ast.SelectorExpr); for channel waits the
	// *ast.UnaryExpr, *ast.SendStmt or *ast.SelectStmt.
	Node ast.Node
	// Pos is the call's left parenthesis (the value's start for a
	// callback, the arrow or the select keyword for channel waits); At is
	// the same place for people.
	Pos  token.Pos
	At   Position
	Rule *Rule
	// Conn is the connection of a RewriteConnIO operation, when the code
	// shows it.
	Conn *Conn
	// Stuck says why the ctx cannot reach this wait where it stands, or
	// why a sink's context-aware form cannot be used (it is newer than
	// the module's go line); "" when it can.
	Stuck string
	// Scope is the innermost function around the operation: the
	// *ast.FuncDecl or an *ast.FuncLit.
	Scope ast.Node
	// Detached is true for a context.Background() in code that outlives
	// the call (a goroutine the function does not wait for, a closure it
	// stores or returns): a ctx form gives it context.WithoutCancel(ctx).
	// It does not make the function block.
	Detached bool
	// Source is, for a call of a function with a ctx form
	// (RewriteSibling), the context a caller without one would give it
	// (t.Context() in a test): what finalize moves the call with.
	Source Source
	// ArgOf is, for a context.TODO() or Background() passed to a function
	// of the same package, that function.
	ArgOf *Func
}

// Blocks reports whether the operation makes its function block. A
// context.TODO() handed to a function that takes a ctx and hands it on to
// nothing (its ctx reaches no wait, as after its own waits became
// detached) does not: a ctx form for the caller would have nothing to
// cancel.
func (o *Op) Blocks() bool {
	if o.ArgOf != nil && o.ArgOf.TakesContext && o.ArgOf.Decl != nil && !o.ArgOf.honours {
		return false
	}
	return o.Rule.Blocks() && !o.Detached
}

// Cancellable reports whether the ctx form's ctx reaches the operation:
// a sink (made context-aware by the rewrite, or by hand where it says so)
// whose context-aware form the module's go line has, or a wait the
// rewrite can bind ctx to.
func (o *Op) Cancellable() bool {
	if o.Rule.Wait == WaitNone {
		return o.Stuck == ""
	}
	return o.Rule.Rewrite != RewriteNone && o.Stuck == ""
}

// Describe is the operation for people: "conn I/O at client.go:12".
func (o *Op) Describe() string { return o.Name() + " at " + o.At.Short() }

// Name is what the operation is, for people.
func (o *Op) Name() string {
	if o.Rule.Wait != WaitNone && o.Rule.Wait != WaitOther && o.Rule.Wait != WaitSleep {
		return o.Rule.Wait.Label()
	}
	return ShortName(o.Rule.Call)
}

// Call is the place of a call to the module's function.
func (o *Op) Call() *ast.CallExpr { c, _ := o.Node.(*ast.CallExpr); return c }

// Via says which operation makes a function blocking, for people: the
// operation nearest to it along the call graph.
type Via struct {
	// Call is the operation's callee (Rule.Call), or what it is
	// ("channel receive").
	Call string
	// At is where the operation is.
	At Position
	// Why, for an operation a ctx cannot reach, says why.
	Why string
}

func (v Via) String() string {
	if v.Call == "" {
		return ""
	}
	if strings.Contains(v.Call, " ") {
		return v.Call + " at " + v.At.Short()
	}
	return ShortName(v.Call) + " at " + v.At.Short()
}

// Explain is String with why.
func (v Via) Explain() string {
	if v.Why == "" {
		return v.String()
	}
	return v.String() + ": " + v.Why
}

// SourceKind says where a call site that is not migrated gets a context.
type SourceKind int

const (
	// SourceTODO is context.TODO(), Go's marker for a caller that has not
	// been migrated yet.
	SourceTODO SourceKind = iota
	// SourceVar is a context.Context variable in scope.
	SourceVar
	// SourceRequest is an HTTP handler's r.Context().
	SourceRequest
	// SourceTest is t.Context() in a test (go 1.24 and later).
	SourceTest
	// SourceCobra is a cobra command's cmd.Context().
	SourceCobra
)

// Source is the context a call site passes when its caller is not
// migrated.
type Source struct {
	Kind SourceKind `json:"kind"`
	// Name is the variable (SourceVar) or the parameter (the others);
	// "" for SourceTODO.
	Name string `json:"name,omitempty"`
}

// Expr is the source as Go, with contextPkg the file's name for package
// context: "ctx", "r.Context()", "context.TODO()".
func (s Source) Expr(contextPkg string) string {
	switch s.Kind {
	case SourceVar:
		return s.Name
	case SourceTODO:
		return contextPkg + ".TODO()"
	}
	return s.Name + ".Context()"
}

func (s Source) String() string { return s.Expr("context") }

// Call is a call from one module function to another, or a function of
// the module passed as a value to a call (a callback, which the call
// runs).
type Call struct {
	// Node is the *ast.CallExpr, or for a callback the value.
	Node ast.Node
	Pos  token.Pos
	At   Position
	// Callee is the called function; for a call through a module
	// interface, the interface method.
	Callee *Func
	// Iface is the interface of a dynamic call; Impls the module's
	// implementations it may reach.
	Iface *Interface
	Impls []*Func
	// Source is the context this call site passes when its caller is not
	// migrated.
	Source Source
	// Value is true for a callback.
	Value bool
	// Field is the function-valued field or variable a call goes through
	// (its Callee and Impls are the functions assigned to it).
	Field *FuncField
	// Detached is true for a call the function does not wait for: in a
	// goroutine it starts, or in a closure it stores or returns. Such a
	// call does not make the function block, and a ctx form gives it
	// context.WithoutCancel(ctx): the caller's cancellation must not end
	// work that outlives the call.
	Detached bool
}

// Expr is the call expression; nil for a callback.
func (c *Call) Expr() *ast.CallExpr { e, _ := c.Node.(*ast.CallExpr); return e }

// Targets are the functions the call may run: the callee, or the
// implementations of a dynamic call as well.
func (c *Call) Targets() []*Func {
	return append([]*Func{c.Callee}, c.Impls...)
}

// Interface is an interface type declared in the module.
type Interface struct {
	// Name is qualified: "example.com/shop/api.Fetcher".
	Name     string
	Exported bool
	Named    *types.Named
	Type     *types.Interface
	// Methods are the interface's own methods, by name.
	Methods map[string]*Func
}

// Short is the interface's name for people: "api.Fetcher".
func (i *Interface) Short() string { return ShortName(i.Name) }

// Func is a function or method declared in the module (or, under the
// package driver, one of another package known through its fact).
type Func struct {
	// Obj is the declaration's object.
	Obj *types.Func
	// ID is the qualified name as runtime stacks and profiles print it:
	// "example.com/shop/api.(*Client).Fetch", "example.com/shop/api.New".
	ID string
	// Name is the declared name; Recv the receiver type ("*Client",
	// "Client", "" for functions).
	Name, Recv string
	// Package is the import path ("p_test" for external tests).
	Package string
	// Pos is the name's position; At the same place for people.
	Pos token.Pos
	At  Position
	// Decl is the declaration; nil for interface methods and closures.
	Decl *ast.FuncDecl
	// Closure is the function literal of a closure assigned to a
	// function-valued field or variable (see FuncField).
	Closure *ast.FuncLit
	// File is the file that holds the declaration.
	File *File
	// Also are further declarations of the same function in files
	// excluded by build constraints (shell_windows.go beside
	// shell_unix.go), positions in the module's file set.
	Also []token.Pos
	// Exported is true when the name is exported (and so is the receiver).
	Exported bool
	// Importable is false in main packages and below internal/.
	Importable bool
	// TestFile is true for functions declared in _test.go files.
	TestFile bool
	// TakesContext is true when a parameter is a context.Context.
	TakesContext bool
	// Handler is true for HTTP handlers (an http.ResponseWriter and a
	// *http.Request): they have a context already, r.Context().
	Handler bool
	// CtxForm is Foo's ctx form when it exists already (FooContext or
	// FooWithContext beside Foo); calls to Foo are then sinks.
	CtxForm *types.Func
	// InterfaceMethod is true for a method declared in an interface type.
	InterfaceMethod bool
	// UsedAsValue is true when the function is referred to other than in a
	// call (a method value, a func passed as an argument).
	UsedAsValue bool
	// GeneratedCallers are the generated files that call the function or
	// hold it (the migration never edits them): it gets a ctx form beside
	// a sync form they keep calling.
	GeneratedCallers []string
	// Interfaces are the module's exported interfaces this method helps
	// satisfy.
	Interfaces []*Interface
	// Ops are the operations in the body, in source order.
	Ops []*Op
	// Calls are the calls to other module functions, in source order.
	Calls []*Call
	// Callers counts call sites in the module that call this function.
	Callers int
	// Blocking is true when the function reaches a blocking operation and
	// has no context yet.
	Blocking bool
	// Via is the nearest blocking operation it reaches.
	Via Via
	// Cancels is true when the ctx of f's ctx form reaches at least one
	// blocking operation; Stuck is the first one it cannot reach (zero
	// when it reaches them all).
	Cancels bool
	Stuck   Via
	// Skip says why the function is left alone; zero when it is not.
	Skip Skip
	// Kind is how the function changes when migrated.
	Kind Kind

	// outside is an interface from outside the module that fixes the
	// signature ("io.Reader"); nameTaken says what took the ctx form's
	// name; ifaces are the module interfaces this method helps satisfy.
	outside   string
	nameTaken string
	ifaces    []*Interface
	// declIface is the interface that declares an interface method.
	declIface *Interface
	// ownCtx are the contexts the body declares for itself (see
	// ownContexts), found by the body walk.
	ownCtx []*ast.Ident
	// depth is the length of the shortest call chain to a blocking
	// operation (0: one in the body), -1 when none is reached.
	depth int
	// stuckIface is true when Stuck is a call through an exported
	// interface, which the plan says as a risk of its own.
	stuckIface bool
	// honours is true when the body hands a context on (a ctx argument
	// other than context.Background(), a select on ctx.Done(), a
	// connection bound with bindConn); bound are those connections.
	honours bool
	bound   map[string]bool
	// ghost is true for a function of another package known only through
	// its fact (package driver); leftOut is true when the fact says it
	// gets no ctx form.
	ghost, leftOut bool
}

// Reach says how far the ctx of a function's ctx form reaches.
type Reach string

// How far a ctx reaches. They are part of the JSON output.
const (
	// ReachFull: every blocking operation the function reaches honours
	// its ctx.
	ReachFull Reach = "full"
	// ReachPartial: some do, some do not (Func.Stuck is one that does
	// not).
	ReachPartial Reach = "partial"
	// ReachNone: none does.
	ReachNone Reach = "none"
)

// CtxReach says how far the context a function takes reaches in its own
// body: it hands it on (to calls, a select on Done, a bound connection)
// and has no blocking operation or call left that ignores it (ReachFull),
// both (ReachPartial), or it hands it on nowhere (ReachNone).
func (f *Func) CtxReach() Reach {
	misses := false
	for _, o := range f.Ops {
		if o.Blocks() && !(o.Conn != nil && f.bound[o.Conn.Expr]) {
			misses = true
		}
	}
	for _, c := range f.Calls {
		misses = misses || !c.Detached && c.Callee.Blocking
	}
	switch {
	case !f.honours:
		return ReachNone
	case misses:
		return ReachPartial
	}
	return ReachFull
}

// Reach says how far the ctx of f's ctx form would reach.
func (f *Func) Reach() Reach {
	switch {
	case !f.Cancels:
		return ReachNone
	case f.Stuck.Call != "":
		return ReachPartial
	}
	return ReachFull
}

// body is the function's body: its declaration's or its closure's.
func (f *Func) body() *ast.BlockStmt {
	switch {
	case f.Decl != nil:
		return f.Decl.Body
	case f.Closure != nil:
		return f.Closure.Body
	}
	return nil
}

// Done reports whether f already has a context: it takes one, its ctx
// form exists, or it is an HTTP handler.
func (f *Func) Done() bool { return f.TakesContext || f.CtxForm != nil || f.Handler }

// HasCtxForm reports whether Foo's ctx form exists already.
func (f *Func) HasCtxForm() bool { return f.CtxForm != nil }

// CtxFormName is the name Foo's ctx form gets: FooContext.
func (f *Func) CtxFormName() string { return f.Name + "Context" }

// Suggestion is the change a migration makes to f, for people:
// "FooContext(ctx context.Context, ...)" for a sibling, "ctx
// context.Context as the first parameter" in place.
func (f *Func) Suggestion() string { return Advice(f.Kind, f.Name) }

// Advice is the change that gives the function named name a context the
// way kind says, for people (see Func.Suggestion).
func Advice(kind Kind, name string) string {
	if kind == Sibling {
		return name + "Context(ctx context.Context, ...)"
	}
	return "ctx context.Context as the first parameter"
}

// File is a syntax file of the module.
type File struct {
	Syntax *ast.File
	// Name is relative to the module root.
	Name      string
	Test      bool
	Generated bool
	Cgo       bool
	// Helper is true for a file smartmigrate wrote for the ctx forms
	// (//smartmigrate:helper): what its functions wait on is theirs.
	Helper bool
	// Pkg is the package that holds it.
	Pkg *Package
}

// HelperMarker marks the files smartmigrate writes for ctx forms.
const HelperMarker = "//smartmigrate:helper"

// isHelperFile reports whether f carries HelperMarker.
func isHelperFile(f *ast.File) bool {
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if c.Text == HelperMarker {
				return true
			}
		}
	}
	return false
}

// Package is what the analysis reads of one type-checked package.
type Package struct {
	Path       string
	Name       string
	Types      *types.Package
	Info       *types.Info
	Importable bool
	Files      []*File
}
