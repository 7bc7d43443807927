package analysis

import (
	"go/types"
	"strings"
)

// Rule says how a sink becomes context-aware.
type Rule struct {
	// Call is the callee as types.Func.FullName prints it:
	// "net/http.Get", "(*database/sql.DB).Query".
	Call string `json:"call"`
	// Form is the context-aware form, for people: "(*database/sql.DB).QueryContext".
	Form string `json:"form"`
	// Sibling is set when the rewrite is a plain swap: call this name
	// (a function of the same package, or a method of the same receiver)
	// with ctx inserted first and the other arguments as they are.
	Sibling string `json:"sibling,omitempty"`
	// Statement is true when the rewrite needs a statement of its own
	// (http.Get becomes NewRequestWithContext followed by Do).
	Statement bool `json:"statement,omitempty"`
	// Consumer is true for calls that take a context but never block
	// (log/slog): rewritten in functions migrated anyway, never a reason to
	// migrate.
	Consumer bool `json:"consumer,omitempty"`
	// Background is true for a call to context.Background or context.TODO:
	// a root context made where a caller's context should flow.
	Background bool `json:"background,omitempty"`
	// Value is true for a function passed as a value to a call (a
	// callback, c.Each(c.ping)) that has a ctx form: a ctx form passes
	// a closure calling the ctx form with its ctx instead.
	Value bool `json:"value,omitempty"`
}

// table holds the standard-library sinks whose context-aware form is not a
// plain sibling with ctx prepended. Everything else is found by
// siblingRule.
var table = map[string]Rule{
	"net.Dial":                    {Form: "(&net.Dialer{}).DialContext(ctx, network, address)"},
	"net.DialTimeout":             {Form: "(&net.Dialer{Timeout: timeout}).DialContext(ctx, network, address)"},
	"net.Listen":                  {Form: "(&net.ListenConfig{}).Listen(ctx, network, address)"},
	"net.ListenPacket":            {Form: "(&net.ListenConfig{}).ListenPacket(ctx, network, address)"},
	"net.LookupHost":              {Form: "net.DefaultResolver.LookupHost(ctx, host)"},
	"net.LookupPort":              {Form: "net.DefaultResolver.LookupPort(ctx, network, service)"},
	"net.LookupCNAME":             {Form: "net.DefaultResolver.LookupCNAME(ctx, host)"},
	"net.LookupSRV":               {Form: "net.DefaultResolver.LookupSRV(ctx, service, proto, name)"},
	"net.LookupMX":                {Form: "net.DefaultResolver.LookupMX(ctx, name)"},
	"net.LookupNS":                {Form: "net.DefaultResolver.LookupNS(ctx, name)"},
	"net.LookupTXT":               {Form: "net.DefaultResolver.LookupTXT(ctx, name)"},
	"net.LookupAddr":              {Form: "net.DefaultResolver.LookupAddr(ctx, addr)"},
	"net.LookupIP":                {Form: `net.DefaultResolver.LookupIP(ctx, "ip", host)`},
	"net/http.Get":                {Form: "http.NewRequestWithContext(ctx, http.MethodGet, url, nil) + Do", Statement: true},
	"net/http.Head":               {Form: "http.NewRequestWithContext(ctx, http.MethodHead, url, nil) + Do", Statement: true},
	"net/http.Post":               {Form: "http.NewRequestWithContext(ctx, http.MethodPost, url, body) + Do", Statement: true},
	"net/http.PostForm":           {Form: "http.NewRequestWithContext(ctx, http.MethodPost, url, form) + Do", Statement: true},
	"(*net/http.Client).Get":      {Form: "http.NewRequestWithContext(ctx, http.MethodGet, url, nil) + c.Do", Statement: true},
	"(*net/http.Client).Head":     {Form: "http.NewRequestWithContext(ctx, http.MethodHead, url, nil) + c.Do", Statement: true},
	"(*net/http.Client).Post":     {Form: "http.NewRequestWithContext(ctx, http.MethodPost, url, body) + c.Do", Statement: true},
	"(*net/http.Client).PostForm": {Form: "http.NewRequestWithContext(ctx, http.MethodPost, url, form) + c.Do", Statement: true},
	"(*database/sql.DB).Begin":    {Form: "(*database/sql.DB).BeginTx(ctx, nil)"},
	"(*database/sql.Conn).Begin":  {Form: "(*database/sql.Conn).BeginTx(ctx, nil)"},
	"crypto/tls.Dial":             {Form: "(&tls.Dialer{Config: config}).DialContext(ctx, network, addr)"},
	"crypto/tls.DialWithDialer":   {Form: "(&tls.Dialer{NetDialer: dialer, Config: config}).DialContext(ctx, network, addr)"},
	"context.Background":          {Form: "ctx", Background: true},
	"context.TODO":                {Form: "ctx", Background: true},
}

// consumerPackages are packages whose context-taking siblings carry values
// (logging) but never block.
var consumerPackages = map[string]bool{"log/slog": true}

// sinkFinder classifies callees, caching what it found per function.
type sinkFinder struct {
	cache map[*types.Func]*Rule
}

func newSinkFinder() *sinkFinder { return &sinkFinder{cache: map[*types.Func]*Rule{}} }

// rule returns how a call to fn becomes context-aware, or nil when it is
// not a sink.
func (s *sinkFinder) rule(fn *types.Func) *Rule {
	if r, ok := s.cache[fn]; ok {
		return r
	}
	var r *Rule
	name := fn.FullName()
	if t, ok := table[name]; ok {
		t.Call = name
		r = &t
	} else if sib := siblingOf(fn); sib != nil {
		r = &Rule{Call: name, Form: sib.FullName(), Sibling: sib.Name()}
		if fn.Pkg() != nil && consumerPackages[fn.Pkg().Path()] {
			r.Consumer = true
		}
	}
	s.cache[fn] = r
	return r
}

// siblingOf finds fn's context-aware sibling: XContext or XWithContext next
// to X (same package, or same method set), taking a context.Context first
// and then X's parameters, with X's results. A WithContext sibling may add
// a trailing variadic options parameter.
func siblingOf(fn *types.Func) *types.Func {
	sig, ok := fn.Type().(*types.Signature)
	if !ok || fn.Pkg() == nil || takesContextFirst(sig) {
		return nil
	}
	for _, suffix := range []string{"Context", "WithContext"} {
		cand := lookupSibling(fn, sig, fn.Name()+suffix)
		if cand == nil {
			continue
		}
		if matchesCtxForm(sig, cand.Type().(*types.Signature), suffix == "WithContext") {
			return cand
		}
	}
	return nil
}

// lookupSibling finds a function or method named name beside fn.
func lookupSibling(fn *types.Func, sig *types.Signature, name string) *types.Func {
	if recv := sig.Recv(); recv != nil {
		obj, _, _ := types.LookupFieldOrMethod(recv.Type(), true, fn.Pkg(), name)
		f, _ := obj.(*types.Func)
		return f
	}
	f, _ := fn.Pkg().Scope().Lookup(name).(*types.Func)
	return f
}

// matchesCtxForm reports whether ctxSig is base with a context.Context
// parameter first (and, when allowOpts, an extra trailing variadic).
func matchesCtxForm(base, ctxSig *types.Signature, allowOpts bool) bool {
	bp, cp := base.Params(), ctxSig.Params()
	if cp.Len() < 1 || !IsContext(cp.At(0).Type()) {
		return false
	}
	extra := cp.Len() - 1 - bp.Len()
	switch {
	case extra == 0:
		if base.Variadic() != ctxSig.Variadic() {
			return false
		}
	case extra == 1 && allowOpts && ctxSig.Variadic() && !base.Variadic():
	default:
		return false
	}
	for i := 0; i < bp.Len(); i++ {
		if !types.Identical(bp.At(i).Type(), cp.At(i+1).Type()) {
			return false
		}
	}
	return types.Identical(base.Results(), ctxSig.Results())
}

// IsContext reports whether t is context.Context.
func IsContext(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return false
	}
	obj := n.Obj()
	return obj.Name() == "Context" && obj.Pkg() != nil && obj.Pkg().Path() == "context"
}

// takesContextFirst reports whether sig's first parameter is a context.
func takesContextFirst(sig *types.Signature) bool {
	return sig.Params().Len() > 0 && IsContext(sig.Params().At(0).Type())
}

// takesContext reports whether any parameter of sig is a context.
func takesContext(sig *types.Signature) bool {
	for i := 0; i < sig.Params().Len(); i++ {
		if IsContext(sig.Params().At(i).Type()) {
			return true
		}
	}
	return false
}

// shortCall shortens "(*database/sql.DB).Query" to "(*sql.DB).Query" for
// people.
func shortCall(full string) string {
	i := strings.LastIndex(full, "/")
	if i < 0 {
		return full
	}
	j := strings.LastIndexAny(full[:i], "(*")
	return full[:j+1] + full[i+1:]
}

// RuleFor returns how a call to fn becomes context-aware, or nil when fn is
// not a sink. It is the classification Analyze uses, for callers that meet
// calls the analysis did not see (files excluded by build constraints).
func RuleFor(fn *types.Func) *Rule { return newSinkFinder().rule(fn) }
