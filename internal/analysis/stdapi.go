package analysis

import (
	"bufio"
	"fmt"
	"go/build"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/mod/semver"
)

// The standard library's API by the Go version that added each symbol,
// from the toolchain's own record of it ($GOROOT/api/go1.N.txt), so that a
// rewrite never uses what the module's go line does not have
// (http.NewRequestWithContext is go1.13).

var stdAPI struct {
	once  sync.Once
	since map[string]int // "(*net.Dialer).DialContext" -> 7
}

// stdSince is the minor Go version that added sym to the standard library
// ("net/http.NewRequestWithContext" -> 13), or 0 when the record has no
// such symbol (not standard, or there since Go 1.0) or cannot be read.
func stdSince(sym string) int {
	stdAPI.once.Do(func() { stdAPI.since = readStdAPI(filepath.Join(build.Default.GOROOT, "api")) })
	return stdAPI.since[sym]
}

// readStdAPI reads every go1.N.txt in dir.
func readStdAPI(dir string) map[string]int {
	since := map[string]int{}
	files, _ := filepath.Glob(filepath.Join(dir, "go1.*.txt"))
	for _, path := range files {
		minor, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "go1."), ".txt"))
		if err != nil {
			continue
		}
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if sym := apiSymbol(sc.Text()); sym != "" {
				if old, ok := since[sym]; !ok || minor < old {
					since[sym] = minor
				}
			}
		}
		f.Close()
	}
	return since
}

// apiSymbol is the function or method an api file's line declares, as
// types.Func.FullName spells it: "pkg net/http, func Get(string) ..." is
// "net/http.Get", "pkg net, method (*Dialer) DialContext(...)" is
// "(*net.Dialer).DialContext"; "" for other lines.
func apiSymbol(line string) string {
	rest, ok := strings.CutPrefix(line, "pkg ")
	if !ok {
		return ""
	}
	pkg, decl, ok := strings.Cut(rest, ", ")
	if !ok {
		return ""
	}
	pkg, _, _ = strings.Cut(pkg, " ") // "syscall (linux-386)"
	if name, ok := strings.CutPrefix(decl, "func "); ok {
		name, _, _ = strings.Cut(name, "(")
		return pkg + "." + name
	}
	if m, ok := strings.CutPrefix(decl, "method ("); ok {
		recv, after, ok := strings.Cut(m, ") ")
		if !ok {
			return ""
		}
		name, _, _ := strings.Cut(after, "(")
		star := ""
		if t, ok := strings.CutPrefix(recv, "*"); ok {
			star, recv = "*", t
		}
		return "(" + star + pkg + "." + recv + ")." + name
	}
	return ""
}

// requires is the standard-library function or method the rewrite of r
// calls, "" when it calls none that the api record dates.
func (r *Rule) requires() string {
	switch r.Rewrite {
	case RewriteSibling:
		return r.Form
	case RewriteHTTP:
		return "net/http.NewRequestWithContext"
	case RewriteDialer:
		return "(*net.Dialer)." + r.Method
	case RewriteListenConfig:
		return "(*net.ListenConfig)." + r.Method
	case RewriteResolver:
		return "(*net.Resolver)." + r.Method
	case RewriteBeginTx:
		return strings.TrimSuffix(r.Form, "(ctx, nil)")
	}
	return ""
}

// tooNew says why the rewrite of r cannot be used in a module whose go line
// is goVersion ("net/http.NewRequestWithContext needs go1.13; the module's
// go line is 1.12"), or "".
func tooNew(r *Rule, goVersion string) string {
	sym := r.requires()
	if sym == "" || goVersion == "" {
		return ""
	}
	n := stdSince(sym)
	if n == 0 || semver.Compare("v"+goVersion, fmt.Sprintf("v1.%d", n)) >= 0 {
		return ""
	}
	return fmt.Sprintf("%s needs go1.%d; the module's go line is %s", ShortName(sym), n, goVersion)
}
