package analysis

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// Waits are blocking that has no context-aware variant to swap in: reads
// and writes on a connection, sleeps, channel operations, WaitGroup and
// process waits. The ctx form binds the ctx to them where the code shows
// how (Op.Stuck says why not where it does not).

// waitTable holds the calls that wait without a context-aware form.
var waitTable = map[string]Rule{
	"time.Sleep":               {Form: "select on a timer and ctx.Done()", Rewrite: RewriteSleep, Wait: WaitSleep},
	"(*sync.WaitGroup).Wait":   {Form: "none", Rewrite: RewriteNone, Wait: WaitOther},
	"(*sync.Cond).Wait":        {Form: "none", Rewrite: RewriteNone, Wait: WaitOther},
	"(*os.Process).Wait":       {Form: "none", Rewrite: RewriteNone, Wait: WaitOther},
	"(*os/exec.Cmd).Wait":      {Form: "none", Rewrite: RewriteNone, Wait: WaitOther},
	"(*net/http.Server).Serve": {Form: "none", Rewrite: RewriteNone, Wait: WaitOther},
	// A net.Listener has no deadline to bind; a *net.TCPListener has one
	// and its Accept is conn I/O.
	"(net.Listener).Accept": {Form: "none", Rewrite: RewriteNone, Wait: WaitOther},
}

// WaitKind says what kind of wait an operation is; WaitNone for sinks.
type WaitKind string

// The kinds of waits. They are part of the JSON output.
const (
	WaitNone   WaitKind = ""
	WaitConn   WaitKind = "conn-io"
	WaitSleep  WaitKind = "sleep"
	WaitRecv   WaitKind = "channel-receive"
	WaitSend   WaitKind = "channel-send"
	WaitSelect WaitKind = "select"
	WaitOther  WaitKind = "wait"
)

// Label names the kind for people.
func (k WaitKind) Label() string {
	switch k {
	case WaitConn:
		return "conn I/O"
	case WaitRecv:
		return "channel receive"
	case WaitSend:
		return "channel send"
	}
	return string(k)
}

// Conn is the connection an I/O operation goes through, as the code
// spells it where the operation is ("cn.nc", "c.conn", "conn").
type Conn struct {
	// Expr is the connection expression's text.
	Expr string
	// Root is the variable the expression starts from.
	Root types.Object
}

// wrapperTypes are the buffered readers and writers that do a
// connection's I/O when they are built on one.
var wrapperTypes = map[string]bool{
	"bufio.Reader": true, "bufio.Writer": true, "bufio.ReadWriter": true, "bufio.Scanner": true,
	"net/textproto.Reader": true, "net/textproto.Writer": true, "net/textproto.Conn": true,
}

// wrapperPkgs are the packages of wrapperTypes.
var wrapperPkgs = map[string]bool{"bufio": true, "net/textproto": true}

// wrapperCtors are the functions that build a wrapper on a reader or
// writer (their first argument).
var wrapperCtors = map[string]bool{
	"bufio.NewReader": true, "bufio.NewReaderSize": true, "bufio.NewWriter": true, "bufio.NewWriterSize": true,
	"bufio.NewReadWriter": true, "bufio.NewScanner": true,
	"net/textproto.NewReader": true, "net/textproto.NewWriter": true, "net/textproto.NewConn": true,
	// A TLS connection wraps one; it is a connection of its own.
	"crypto/tls.Client": true, "crypto/tls.Server": true,
}

// ioPrefixes start the names of the methods that read or write.
var ioPrefixes = []string{"Read", "Write", "Peek", "Discard", "Flush", "Scan", "Print", "Cmd", "Accept"}

func isIOMethod(name string) bool {
	for _, p := range ioPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// isConnType reports whether t has SetDeadline(time.Time) error: a
// net.Conn, a *tls.Conn, a listener, the module's own connection types.
// An *os.File has the method too, but a file's reads and writes do not
// wait on a peer (its deadlines only act on pipes), so a file, or a type
// that has the method from an embedded file, is not a connection.
func isConnType(t types.Type) bool {
	if t == nil || methodless(t) {
		return false
	}
	for _, tt := range []types.Type{t, types.NewPointer(t)} {
		if _, ok := tt.Underlying().(*types.Pointer); ok && tt != t {
			continue
		}
		obj, _, _ := types.LookupFieldOrMethod(tt, true, nil, "SetDeadline")
		if fn, ok := obj.(*types.Func); ok && (fn.Pkg() == nil || fn.Pkg().Path() != "os") {
			sig := fn.Signature()
			if sig.Params().Len() == 1 && qualifiedTypeName(sig.Params().At(0).Type()) == "time.Time" && sig.Results().Len() == 1 {
				return true
			}
		}
	}
	return false
}

// methodless reports whether t cannot have methods: an unnamed basic,
// slice, map, channel, function, array or tuple type, or a pointer to
// one. Most operands of a call are, and are passed over without a
// method lookup.
func methodless(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	switch t.(type) {
	case *types.Basic, *types.Slice, *types.Map, *types.Chan, *types.Signature, *types.Array, *types.Tuple:
		return true
	}
	return false
}

// isWrapperType reports whether t is one of wrapperTypes or a pointer to
// one.
func isWrapperType(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil || !wrapperPkgs[n.Obj().Pkg().Path()] {
		return false
	}
	return wrapperTypes[n.Obj().Pkg().Path()+"."+n.Obj().Name()]
}

func (w *bodyWalker) info() *types.Info { return w.file.Pkg.Info }

// connOf returns the connection that the I/O through e goes to, or nil
// when the code does not show one.
func (w *bodyWalker) connOf(e ast.Expr) *Conn {
	e = ast.Unparen(e)
	t := w.info().TypeOf(e)
	if isConnType(t) {
		return w.stable(e)
	}
	if !isWrapperType(t) {
		if call, ok := e.(*ast.CallExpr); ok {
			return w.ctorConn(call)
		}
		return nil
	}
	switch e := e.(type) {
	case *ast.SelectorExpr:
		// A struct that holds both the connection and the buffered
		// reader: the common shape.
		if f := connField(w.info().TypeOf(e.X)); f != "" {
			if c := w.stable(e.X); c != nil {
				return &Conn{Expr: c.Expr + "." + f, Root: c.Root}
			}
		}
	case *ast.Ident:
		return w.localWrapperConn(e)
	case *ast.CallExpr:
		return w.ctorConn(e)
	}
	return nil
}

// ctorConn is the connection a wrapper constructor call is built on.
func (w *bodyWalker) ctorConn(call *ast.CallExpr) *Conn {
	fn, _ := typeutil.Callee(w.info(), call).(*types.Func)
	if fn == nil || !wrapperCtors[fn.FullName()] || len(call.Args) == 0 {
		return nil
	}
	return w.connOf(call.Args[0])
}

// localWrapperConn is the connection a local variable's wrapper was built
// on in the function being walked (r := bufio.NewReader(conn)).
func (w *bodyWalker) localWrapperConn(id *ast.Ident) *Conn {
	obj := w.info().Uses[id]
	v, ok := obj.(*types.Var)
	if !ok || v.IsField() || isParam(w.encl, v) || w.encl == nil || w.encl.body() == nil {
		return nil
	}
	var found *Conn
	ast.Inspect(w.encl.body(), func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || found != nil || len(as.Lhs) != len(as.Rhs) {
			return found == nil
		}
		for i, l := range as.Lhs {
			if lid, ok := l.(*ast.Ident); ok && (w.info().Defs[lid] == obj || w.info().Uses[lid] == obj) {
				switch rhs := ast.Unparen(as.Rhs[i]).(type) {
				case *ast.CallExpr:
					found = w.ctorConn(rhs)
				case *ast.SelectorExpr:
					found = w.connOf(rhs) // rw := cn.rw
				}
			}
		}
		return found == nil
	})
	return found
}

// isParam reports whether v is a parameter or the receiver of f.
func isParam(f *Func, v *types.Var) bool {
	if f == nil {
		return false
	}
	sig := f.Obj.Signature()
	if r := sig.Recv(); r == v {
		return true
	}
	for i := 0; i < sig.Params().Len(); i++ {
		if sig.Params().At(i) == v {
			return true
		}
	}
	return false
}

// connField is the one field of a struct type (or a pointer to one) whose
// type is a connection, or "".
func connField(t types.Type) string {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return ""
	}
	name := ""
	for i := 0; i < st.NumFields(); i++ {
		if isConnType(st.Field(i).Type()) {
			if name != "" {
				return "" // two connections: which one is not known
			}
			name = st.Field(i).Name()
		}
	}
	return name
}

// stable returns e as a Conn when it is a name or a chain of field
// selections from a name (evaluating it again has no effect), or nil.
func (w *bodyWalker) stable(e ast.Expr) *Conn {
	var parts []string
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			obj := w.info().Uses[x]
			if _, ok := obj.(*types.Var); !ok {
				return nil
			}
			parts = append([]string{x.Name}, parts...)
			return &Conn{Expr: strings.Join(parts, "."), Root: obj}
		case *ast.SelectorExpr:
			if s := w.info().Selections[x]; s == nil || s.Kind() != types.FieldVal {
				return nil
			}
			parts = append([]string{x.Sel.Name}, parts...)
			e = x.X
		default:
			return nil
		}
	}
}

// connCall records a call that does I/O on a connection: a read or write
// method of a connection or of a buffered reader or writer built on one,
// a function outside the module handed one as an io.Reader or io.Writer,
// or a function of the module (or a function value) handed a buffered
// reader or writer built on a known connection. It reports whether it
// recorded one.
func (w *bodyWalker) connCall(call *ast.CallExpr, callee *types.Func) bool {
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && callee != nil && !w.isModuleFunc(callee) {
		t := w.info().TypeOf(sel.X)
		if (isConnType(t) || isWrapperType(t)) && isIOMethod(sel.Sel.Name) {
			if !w.fromParam(sel.X) {
				w.addConnOp(call, w.connOf(sel.X))
			}
			return true
		}
	}
	for i, a := range call.Args {
		t := w.info().TypeOf(a)
		if !isConnType(t) && !isWrapperType(t) {
			continue
		}
		switch {
		case callee != nil && !w.isModuleFunc(callee):
			if !wrapperCtors[callee.FullName()] && !strings.HasPrefix(callee.Name(), "New") && paramIsInterface(callee, i) {
				if !w.fromParam(a) {
					w.addConnOp(call, w.connOf(a))
				}
				return true
			}
		case isWrapperType(t):
			// The callee reads its parameter; the connection is known here.
			if c := w.connOf(a); c != nil {
				w.addConnOp(call, c)
				return true
			}
		}
	}
	return false
}

// fromParam reports whether e is a buffered reader or writer that a
// parameter of an enclosing function holds (rw, rw.Reader): the I/O on it
// is its caller's, which binds the ctx where it knows the connection. A
// connection parameter is bound here, where it is known.
func (w *bodyWalker) fromParam(e ast.Expr) bool {
	if isConnType(w.info().TypeOf(e)) {
		return false
	}
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.SelectorExpr:
			e = x.X
			continue
		case *ast.Ident:
			// The parameter is the reader or writer itself (rw, or rw.Reader
			// of rw *bufio.ReadWriter), not a struct that holds one.
			v, ok := w.info().Uses[x].(*types.Var)
			return ok && isWrapperType(v.Type()) && w.isEnclosingParam(v)
		}
		return false
	}
}

// isEnclosingParam reports whether v is a parameter (or the receiver) of a
// function around the node being walked.
func (w *bodyWalker) isEnclosingParam(v *types.Var) bool {
	for i := len(w.stack) - 1; i >= 0; i-- {
		var ft *ast.FuncType
		var recv *ast.FieldList
		switch n := w.stack[i].(type) {
		case *ast.FuncLit:
			ft = n.Type
		case *ast.FuncDecl:
			ft, recv = n.Type, n.Recv
		default:
			continue
		}
		for _, fl := range []*ast.FieldList{recv, ft.Params} {
			if fl != nil && fl.Pos() <= v.Pos() && v.Pos() < fl.End() {
				return true
			}
		}
	}
	return false
}

func (w *bodyWalker) isModuleFunc(fn *types.Func) bool {
	return fn.Pkg() != nil && w.x.resolve(fn) != nil
}

// paramIsInterface reports whether the i-th argument of fn goes to a
// parameter of an interface type with a reading or writing method
// (io.Reader, io.Writer, net.Conn, ...). An any (fmt.Printf's operands)
// or a fmt.Stringer only shows the value.
func paramIsInterface(fn *types.Func, i int) bool {
	sig := fn.Signature()
	n := sig.Params().Len()
	if n == 0 {
		return false
	}
	var t types.Type
	if i >= n-1 && sig.Variadic() {
		t = sig.Params().At(n - 1).Type().(*types.Slice).Elem()
	} else if i < n {
		t = sig.Params().At(i).Type()
	}
	if t == nil {
		return false
	}
	it, ok := t.Underlying().(*types.Interface)
	if !ok {
		return false
	}
	for m := range it.Methods() {
		if isIOMethod(m.Name()) {
			return true
		}
	}
	return false
}

var connIORule = &Rule{Call: "conn I/O", Form: "the connection's deadline bound to ctx", Rewrite: RewriteConnIO, Wait: WaitConn}

func (w *bodyWalker) addConnOp(call *ast.CallExpr, c *Conn) {
	op := &Op{Node: call, Pos: call.Lparen, At: w.x.position(call.Lparen), Rule: connIORule, Conn: c, Scope: w.scope()}
	if c == nil {
		op.Stuck = "the connection it reads or writes is not known here"
	} else {
		op.Stuck = w.needsErrorResult()
	}
	w.encl.Ops = append(w.encl.Ops, op)
}

// scope is the innermost function (declaration or literal) around the
// node being walked.
func (w *bodyWalker) scope() ast.Node {
	for i := len(w.stack) - 1; i >= 0; i-- {
		switch n := w.stack[i].(type) {
		case *ast.FuncLit, *ast.FuncDecl:
			return n
		}
	}
	return nil
}

// needsErrorResult says why a wait in the innermost function cannot
// return ctx's error: the function has no error result; "" when it has.
func (w *bodyWalker) needsErrorResult() string {
	var ft *ast.FuncType
	switch n := w.scope().(type) {
	case *ast.FuncLit:
		ft = n.Type
	case *ast.FuncDecl:
		ft = n.Type
	}
	if ft == nil || ft.Results == nil || len(ft.Results.List) == 0 {
		return "its function has no error result to return ctx's error with"
	}
	last := ft.Results.List[len(ft.Results.List)-1].Type
	if !types.Identical(w.info().TypeOf(last), types.Universe.Lookup("error").Type()) {
		return "its function's last result is not an error"
	}
	return ""
}

// chanOps records the channel operations of the node being visited.
func (w *bodyWalker) chanOp(n ast.Node) {
	switch n := n.(type) {
	case *ast.UnaryExpr:
		if n.Op != token.ARROW || w.inSelectComm() || w.st.joins[n] {
			return
		}
		if w.isTimerChan(n.X) {
			w.addWait(n, n.OpPos, &Rule{Call: "timer receive", Form: "select on the timer and ctx.Done()", Rewrite: RewriteSleep, Wait: WaitSleep}, "")
			return
		}
		if isDoneChan(w.info(), n.X) {
			return
		}
		w.addWait(n, n.OpPos, &Rule{Call: "channel receive", Form: "select with ctx.Done()", Rewrite: RewriteRecv, Wait: WaitRecv}, w.recvStuck(n.X))
	case *ast.SendStmt:
		if w.inSelectComm() || w.st.joins[n] {
			return
		}
		w.addWait(n, n.Arrow, &Rule{Call: "channel send", Form: "select with ctx.Done()", Rewrite: RewriteSend, Wait: WaitSend}, w.sendStuck(n))
	case *ast.SelectStmt:
		if why, wait := w.selectStuck(n); wait {
			w.addWait(n, n.Select, &Rule{Call: "select", Form: "a ctx.Done() case", Rewrite: RewriteSelect, Wait: WaitSelect}, why)
		}
	case *ast.RangeStmt:
		if _, ok := w.info().TypeOf(n.X).Underlying().(*types.Chan); ok && !w.st.joins[n] {
			w.addWait(n, n.For, &Rule{Call: "range over a channel", Form: "none", Rewrite: RewriteNone, Wait: WaitRecv}, "a range over a channel is not rewritten")
		}
	}
}

func (w *bodyWalker) addWait(n ast.Node, pos token.Pos, r *Rule, stuck string) {
	if stuck == "" {
		stuck = w.needsErrorResult()
	}
	w.encl.Ops = append(w.encl.Ops, &Op{Node: n, Pos: pos, At: w.x.position(pos), Rule: r, Stuck: stuck, Scope: w.scope()})
}

// inSelectComm reports whether the node being visited is the
// communication of a select case (the select is the operation).
func (w *bodyWalker) inSelectComm() bool {
	for i := len(w.stack) - 2; i >= 0; i-- {
		switch n := w.stack[i].(type) {
		case *ast.CommClause:
			return n.Comm != nil && n.Comm.Pos() <= w.stack[len(w.stack)-1].Pos() && w.stack[len(w.stack)-1].End() <= n.Comm.End()
		case *ast.BlockStmt, *ast.FuncLit:
			return false
		}
	}
	return false
}

// isTimerChan reports whether ch is time.After(...), time.Tick(...) or
// the C of a *time.Timer or *time.Ticker.
func (w *bodyWalker) isTimerChan(ch ast.Expr) bool {
	switch e := ast.Unparen(ch).(type) {
	case *ast.CallExpr:
		fn, _ := typeutil.Callee(w.info(), e).(*types.Func)
		return fn != nil && (fn.FullName() == "time.After" || fn.FullName() == "time.Tick")
	case *ast.SelectorExpr:
		n := qualifiedTypeName(w.info().TypeOf(e.X))
		return e.Sel.Name == "C" && (n == "time.Timer" || n == "time.Ticker")
	}
	return false
}

// isDoneChan reports whether ch is a context's Done().
func isDoneChan(info *types.Info, ch ast.Expr) bool {
	call, ok := ast.Unparen(ch).(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Done" && IsContext(info.TypeOf(sel.X))
}

// chanUse is what the package does with one channel variable.
type chanUse struct {
	sends, closes int
	// cap is the buffer it was made with (-1 when not made with a
	// constant one); inLoop is true when a send may run more than once (a
	// loop around it, or around the goroutine that sends).
	cap    int64
	inLoop bool
	maker  ast.Node // the function that made it
}

// recvStuck says why abandoning a receive from ch may leak a goroutine or
// lose a value; "" when it cannot: ch is only ever closed (a signal), or
// a buffered channel made here, whose buffer holds every send the module
// makes on it by name (a reply channel: the one value its sender sends,
// through whatever holds it, never blocks).
func (w *bodyWalker) recvStuck(ch ast.Expr) string {
	obj := chanVar(w.info(), ch)
	if obj == nil {
		return "abandoning the receive could leak the sender or lose a value (the channel is not a variable)"
	}
	u := w.x.chans[obj]
	switch {
	case u == nil:
		return "abandoning the receive could leak the sender or lose a value"
	case u.sends == 0 && u.closes > 0:
		return ""
	case u.maker == w.scope() && !u.inLoop && u.cap >= max(1, int64(u.sends)):
		return ""
	}
	return "abandoning the receive could leak the sender or lose a value"
}

// sendStuck says why abandoning a send may lose a value; "" when the value
// is one this call made (a request of its own: nobody else has it).
func (w *bodyWalker) sendStuck(s *ast.SendStmt) string {
	if w.madeHere(s.Value) {
		return ""
	}
	return "abandoning the send could lose a value someone expects"
}

// madeHere reports whether e is a composite literal (or its address), or
// a local variable this function set to one.
func (w *bodyWalker) madeHere(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.CompositeLit:
		return true
	case *ast.UnaryExpr:
		_, ok := e.X.(*ast.CompositeLit)
		return e.Op == token.AND && ok
	case *ast.Ident:
		v, ok := w.info().Uses[e].(*types.Var)
		if !ok || v.IsField() || isParam(w.encl, v) || w.encl == nil || w.encl.body() == nil {
			return false
		}
		made := false
		ast.Inspect(w.encl.body(), func(n ast.Node) bool {
			if as, ok := n.(*ast.AssignStmt); ok && len(as.Lhs) == len(as.Rhs) {
				for i, l := range as.Lhs {
					if id, ok := l.(*ast.Ident); ok && w.info().Defs[id] == v {
						made = w.madeHere(as.Rhs[i])
					}
				}
			}
			return !made
		})
		return made
	}
	return false
}

// selectStuck says whether a select waits (no default, no ctx.Done()
// case) and why abandoning it may leak or lose something.
func (w *bodyWalker) selectStuck(s *ast.SelectStmt) (string, bool) {
	why := ""
	for _, c := range s.Body.List {
		cc := c.(*ast.CommClause)
		if cc.Comm == nil {
			return "", false // a default: it does not wait
		}
		var ch ast.Expr
		switch comm := cc.Comm.(type) {
		case *ast.SendStmt:
			if why == "" {
				why = w.sendStuck(comm)
			}
			continue
		case *ast.ExprStmt:
			ch = recvChan(comm.X)
		case *ast.AssignStmt:
			if len(comm.Rhs) == 1 {
				ch = recvChan(comm.Rhs[0])
			}
		}
		if ch == nil {
			continue
		}
		if isDoneChan(w.info(), ch) {
			w.encl.honours = true
			return "", false // it already ends with a context
		}
		if why == "" && !w.isTimerChan(ch) {
			why = w.recvStuck(ch)
		}
	}
	return why, true
}

func recvChan(e ast.Expr) ast.Expr {
	if u, ok := ast.Unparen(e).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
		return u.X
	}
	return nil
}

// chanVar is the variable (local, package or field) a channel expression
// names, or nil.
func chanVar(info *types.Info, ch ast.Expr) types.Object {
	switch e := ast.Unparen(ch).(type) {
	case *ast.Ident:
		return info.ObjectOf(e)
	case *ast.SelectorExpr:
		if s := info.Selections[e]; s != nil && s.Kind() == types.FieldVal {
			return s.Obj()
		}
	}
	return nil
}

// countChans records, over the packages, the sends and closes of every
// channel variable, and where buffered channels are made, for the safety
// rules of recvStuck. It runs before the bodies are walked.
func (x *extractor) countChans(pkgs []*Package) {
	for _, h := range searchFiles(pkgs, chanEvent) {
		x.countChan(h.file.Pkg.Info, h.node(), h.stack)
	}
}

// chanEvent reports whether n may be what countChan counts: a send, a
// call of close, or an assignment of make(chan T, n).
func chanEvent(file *File, n ast.Node, _ []ast.Node) bool {
	info := file.Pkg.Info
	switch n := n.(type) {
	case *ast.SendStmt:
		return true
	case *ast.CallExpr:
		id, ok := ast.Unparen(n.Fun).(*ast.Ident)
		b, isB := info.Uses[id].(*types.Builtin)
		return ok && isB && b.Name() == "close"
	case *ast.AssignStmt:
		for _, r := range n.Rhs {
			if _, ok := makeCap(info, r); ok {
				return true
			}
		}
	}
	return false
}

func (x *extractor) countChan(info *types.Info, n ast.Node, stack []ast.Node) {
	use := func(ch ast.Expr) *chanUse {
		obj := chanVar(info, ch)
		if obj == nil {
			return nil
		}
		if x.chans[obj] == nil {
			x.chans[obj] = &chanUse{cap: -1}
		}
		return x.chans[obj]
	}
	switch n := n.(type) {
	case *ast.SendStmt:
		if u := use(n.Chan); u != nil {
			u.sends++
			u.inLoop = u.inLoop || inLoop(stack)
		}
	case *ast.CallExpr:
		if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok && len(n.Args) == 1 {
			if b, ok := info.Uses[id].(*types.Builtin); ok && b.Name() == "close" {
				if u := use(n.Args[0]); u != nil {
					u.closes++
				}
			}
		}
	case *ast.AssignStmt:
		for i, l := range n.Lhs {
			if i < len(n.Rhs) {
				if c, ok := makeCap(info, n.Rhs[i]); ok {
					if u := use(l); u != nil {
						u.cap, u.maker = c, enclosingFunc(stack)
					}
				}
			}
		}
	}
}

// makeCap is the constant capacity of make(chan T, n).
func makeCap(info *types.Info, e ast.Expr) (int64, bool) {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok || len(call.Args) < 1 {
		return 0, false
	}
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if b, isB := info.Uses[id].(*types.Builtin); !ok || !isB || b.Name() != "make" {
		return 0, false
	}
	if _, ok := info.TypeOf(call.Args[0]).Underlying().(*types.Chan); !ok {
		return 0, false
	}
	if len(call.Args) < 2 {
		return 0, true
	}
	if tv, ok := info.Types[call.Args[1]]; ok && tv.Value != nil {
		if n, ok := constant.Int64Val(tv.Value); ok {
			return n, true
		}
	}
	return 0, false
}

// enclosingFunc is the innermost function of stack.
func enclosingFunc(stack []ast.Node) ast.Node {
	for i := len(stack) - 1; i >= 0; i-- {
		switch stack[i].(type) {
		case *ast.FuncLit, *ast.FuncDecl:
			return stack[i]
		}
	}
	return nil
}

// findJoins finds, in a function body, the goroutines the function waits
// for before it returns: a go func() {...}() that sends on a channel the
// function then receives from (or ranges over), or that calls Done on a
// WaitGroup the function then Waits on. Such a goroutine is part of the
// call: what it calls blocks the function and gets its ctx; the receive
// or Wait that joins it is no wait of its own, since it ends when the
// goroutine does.
func (st *walkState) findJoins(info *types.Info, body *ast.BlockStmt) {
	ast.Inspect(body, func(n ast.Node) bool {
		g, ok := n.(*ast.GoStmt)
		if !ok {
			return true
		}
		lit, ok := g.Call.Fun.(*ast.FuncLit)
		if !ok {
			return true
		}
		signals := goSignals(info, lit)
		if len(signals) == 0 {
			return true
		}
		joins := joinsAfter(info, body, lit, g.End(), signals)
		for _, j := range joins {
			st.joins[j] = true
			st.joined[lit] = true
		}
		if len(joins) > 0 {
			// The goroutine's sends on its joining channels hand its
			// result over: they are part of the join.
			ast.Inspect(lit.Body, func(n ast.Node) bool {
				if s, ok := n.(*ast.SendStmt); ok && signals[chanVar(info, s.Chan)] {
					st.joins[s] = true
				}
				return true
			})
		}
		return true
	})
}

// goSignals are the channels a goroutine sends on and the WaitGroups it
// calls Done on.
func goSignals(info *types.Info, lit *ast.FuncLit) map[types.Object]bool {
	out := map[types.Object]bool{}
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SendStmt:
			if obj := chanVar(info, n.Chan); obj != nil {
				out[obj] = true
			}
		case *ast.CallExpr:
			if obj := waitGroupCall(info, n, "Done"); obj != nil {
				out[obj] = true
			}
		}
		return true
	})
	return out
}

// joinsAfter are the receives, ranges and Waits of body, after pos and
// outside lit, on one of signals.
func joinsAfter(info *types.Info, body *ast.BlockStmt, lit *ast.FuncLit, pos token.Pos, signals map[types.Object]bool) []ast.Node {
	var out []ast.Node
	ast.Inspect(body, func(n ast.Node) bool {
		if n == lit {
			return false
		}
		if n == nil || n.Pos() < pos {
			return true
		}
		switch n := n.(type) {
		case *ast.UnaryExpr:
			if n.Op == token.ARROW && signals[chanVar(info, n.X)] {
				out = append(out, n)
			}
		case *ast.RangeStmt:
			if signals[chanVar(info, n.X)] {
				out = append(out, n)
			}
		case *ast.CallExpr:
			if obj := waitGroupCall(info, n, "Wait"); obj != nil && signals[obj] {
				out = append(out, n)
			}
		}
		return true
	})
	return out
}

// waitGroupCall is the WaitGroup variable of a call wg.method(), or nil.
func waitGroupCall(info *types.Info, call *ast.CallExpr, method string) types.Object {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != method || qualifiedTypeName(info.TypeOf(sel.X)) != "sync.WaitGroup" {
		return nil
	}
	return chanVar(info, sel.X)
}

// inLoop reports whether the top of stack is inside a loop of its
// function declaration, function literals included.
func inLoop(stack []ast.Node) bool {
	for i := len(stack) - 1; i >= 0; i-- {
		switch stack[i].(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			return true
		case *ast.FuncDecl:
			return false
		}
	}
	return false
}
