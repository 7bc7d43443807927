package analysis

import (
	"go/types"
	"strings"
	"sync"
)

// table holds the standard-library sinks whose context-aware form is not a
// plain sibling with ctx prepended. Everything else is found by
// siblingRule.
var table = map[string]Rule{
	"net.Dial":                    {Form: "(&net.Dialer{}).DialContext(ctx, network, address)", Rewrite: RewriteDialer, Type: "Dialer", Method: "DialContext"},
	"net.DialTimeout":             {Form: "(&net.Dialer{Timeout: timeout}).DialContext(ctx, network, address)", Rewrite: RewriteDialer, Type: "Dialer", Method: "DialContext", Timeout: true},
	"net.Listen":                  {Form: "(&net.ListenConfig{}).Listen(ctx, network, address)", Rewrite: RewriteListenConfig, Type: "ListenConfig", Method: "Listen"},
	"net.ListenPacket":            {Form: "(&net.ListenConfig{}).ListenPacket(ctx, network, address)", Rewrite: RewriteListenConfig, Type: "ListenConfig", Method: "ListenPacket"},
	"net.LookupHost":              {Form: "net.DefaultResolver.LookupHost(ctx, host)", Rewrite: RewriteResolver, Method: "LookupHost"},
	"net.LookupPort":              {Form: "net.DefaultResolver.LookupPort(ctx, network, service)", Rewrite: RewriteResolver, Method: "LookupPort"},
	"net.LookupCNAME":             {Form: "net.DefaultResolver.LookupCNAME(ctx, host)", Rewrite: RewriteResolver, Method: "LookupCNAME"},
	"net.LookupSRV":               {Form: "net.DefaultResolver.LookupSRV(ctx, service, proto, name)", Rewrite: RewriteResolver, Method: "LookupSRV"},
	"net.LookupMX":                {Form: "net.DefaultResolver.LookupMX(ctx, name)", Rewrite: RewriteResolver, Method: "LookupMX"},
	"net.LookupNS":                {Form: "net.DefaultResolver.LookupNS(ctx, name)", Rewrite: RewriteResolver, Method: "LookupNS"},
	"net.LookupTXT":               {Form: "net.DefaultResolver.LookupTXT(ctx, name)", Rewrite: RewriteResolver, Method: "LookupTXT"},
	"net.LookupAddr":              {Form: "net.DefaultResolver.LookupAddr(ctx, addr)", Rewrite: RewriteResolver, Method: "LookupAddr"},
	"net.LookupIP":                {Form: `net.DefaultResolver.LookupIP(ctx, "ip", host)`, Rewrite: RewriteResolver, Method: "LookupIP", Lead: `"ip"`},
	"net/http.Get":                {Form: "http.NewRequestWithContext(ctx, http.MethodGet, url, nil) + Do", Rewrite: RewriteHTTP, Method: "MethodGet"},
	"net/http.Head":               {Form: "http.NewRequestWithContext(ctx, http.MethodHead, url, nil) + Do", Rewrite: RewriteHTTP, Method: "MethodHead"},
	"net/http.Post":               {Form: "http.NewRequestWithContext(ctx, http.MethodPost, url, body) + Do", Rewrite: RewriteHTTP, Method: "MethodPost", Type: "body"},
	"net/http.PostForm":           {Form: "http.NewRequestWithContext(ctx, http.MethodPost, url, form) + Do", Rewrite: RewriteHTTP, Method: "MethodPost", Type: "form"},
	"(*net/http.Client).Get":      {Form: "http.NewRequestWithContext(ctx, http.MethodGet, url, nil) + c.Do", Rewrite: RewriteHTTP, Method: "MethodGet"},
	"(*net/http.Client).Head":     {Form: "http.NewRequestWithContext(ctx, http.MethodHead, url, nil) + c.Do", Rewrite: RewriteHTTP, Method: "MethodHead"},
	"(*net/http.Client).Post":     {Form: "http.NewRequestWithContext(ctx, http.MethodPost, url, body) + c.Do", Rewrite: RewriteHTTP, Method: "MethodPost", Type: "body"},
	"(*net/http.Client).PostForm": {Form: "http.NewRequestWithContext(ctx, http.MethodPost, url, form) + c.Do", Rewrite: RewriteHTTP, Method: "MethodPost", Type: "form"},
	"(*database/sql.DB).Begin":    {Form: "(*database/sql.DB).BeginTx(ctx, nil)", Rewrite: RewriteBeginTx},
	"(*database/sql.Conn).Begin":  {Form: "(*database/sql.Conn).BeginTx(ctx, nil)", Rewrite: RewriteBeginTx},
	"crypto/tls.Dial":             {Form: "(&tls.Dialer{Config: config}).DialContext(ctx, network, addr)", Rewrite: RewriteNone},
	"crypto/tls.DialWithDialer":   {Form: "(&tls.Dialer{NetDialer: dialer, Config: config}).DialContext(ctx, network, addr)", Rewrite: RewriteNone},
	"context.Background":          {Form: "ctx", Rewrite: RewriteBackground},
	"context.TODO":                {Form: "ctx", Rewrite: RewriteBackground},
}

// consumerPackages are packages whose context-taking siblings carry values
// (logging) but never block.
var consumerPackages = map[string]bool{"log/slog": true}

// rules classifies callees, caching what it found per function.
type rules struct {
	mu    sync.Mutex // packages are walked side by side
	cache map[*types.Func]*Rule
}

func newRules() *rules { return &rules{cache: map[*types.Func]*Rule{}} }

// of returns what a call to fn is (a sink, a consumer, a
// context.Background()), or nil when it is none of them.
func (s *rules) of(fn *types.Func) *Rule {
	if fn == nil {
		return nil
	}
	fn = fn.Origin()
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.cache[fn]; ok {
		return r
	}
	var r *Rule
	name := fn.FullName()
	if t, ok := table[name]; ok {
		t.Call = name
		r = &t
	} else if t, ok := waitTable[name]; ok {
		t.Call = name
		r = &t
	} else if sib := siblingOf(fn); sib != nil {
		r = &Rule{Call: name, Form: sib.FullName(), Rewrite: RewriteSibling, Sibling: sib.Name()}
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
		if matchesCtxForm(sig, sameTypeParams(sig, cand), suffix == "WithContext") {
			return cand
		}
	}
	return nil
}

// sameTypeParams is cand's signature written with the type parameters of
// sig, a generic function's (Load[T] beside LoadContext[T]: each declares
// its own T), so that the two compare; cand's own signature when either is
// not generic or they do not take as many.
func sameTypeParams(sig *types.Signature, cand *types.Func) *types.Signature {
	csig := cand.Type().(*types.Signature)
	tps := sig.TypeParams()
	if tps.Len() == 0 || csig.TypeParams().Len() != tps.Len() {
		return csig
	}
	for i := 0; i < tps.Len(); i++ {
		if !types.Identical(tps.At(i).Constraint(), csig.TypeParams().At(i).Constraint()) {
			return csig
		}
	}
	args := make([]types.Type, tps.Len())
	for i := range args {
		args[i] = tps.At(i)
	}
	inst, err := types.Instantiate(nil, csig, args, false)
	if err != nil {
		return csig
	}
	return inst.(*types.Signature)
}

// lookupSibling finds a function or method named name beside fn. A
// method's sibling is declared on the same type: one promoted from an
// embedded field is another type's (a Transfer that embeds *Conn and
// declares its own ReadMsg does not read through Conn's ReadMsgContext).
func lookupSibling(fn *types.Func, sig *types.Signature, name string) *types.Func {
	if recv := sig.Recv(); recv != nil {
		obj, index, _ := types.LookupFieldOrMethod(recv.Type(), true, fn.Pkg(), name)
		f, _ := obj.(*types.Func)
		if len(index) != 1 {
			return nil
		}
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

// ShortName shortens "(*database/sql.DB).Query" to "(*sql.DB).Query" for
// people.
func ShortName(full string) string {
	i := strings.LastIndex(full, "/")
	if i < 0 {
		return full
	}
	j := strings.LastIndexAny(full[:i], "(*")
	return full[:j+1] + full[i+1:]
}

// RuleFor returns what a call to fn is, or nil; it is the classification
// the analysis uses, for the rewrite's calls in files excluded by build
// constraints, which the analysis does not see.
func RuleFor(fn *types.Func) *Rule { return newRules().of(fn) }

// ShortID trims the module path from a qualified name, for people:
// "example.com/shop/api.(*Client).Fetch" -> "api.(*Client).Fetch", and
// "example.com/shop.Open" -> "shop.Open" (a /vN suffix skipped).
func ShortID(module, id string) string {
	if rest, ok := strings.CutPrefix(id, module+"/"); ok {
		return rest
	}
	if rest, ok := strings.CutPrefix(id, module+"."); ok {
		return lastElem(module) + "." + rest
	}
	return id
}

// lastElem is a module path's last element, skipping a major version
// suffix: "github.com/go-gorp/gorp/v3" -> "gorp".
func lastElem(path string) string {
	elems := strings.Split(path, "/")
	last := elems[len(elems)-1]
	if len(elems) > 1 && len(last) > 1 && last[0] == 'v' && strings.Trim(last[1:], "0123456789") == "" {
		return elems[len(elems)-2]
	}
	return last
}
