package load

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"
)

// member is a module of a go.work workspace.
type member struct {
	dir  string // absolute
	use  string // as go.work spells it, slash-separated
	path string // module path
}

// readWorkspace returns the members of the go.work in dir, and false when
// dir holds none.
func readWorkspace(dir string) ([]member, bool, error) {
	path := filepath.Join(dir, "go.work")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false, nil
	}
	wf, err := modfile.ParseWork(path, data, nil)
	if err != nil {
		return nil, true, fmt.Errorf("%s: %w", path, err)
	}
	var ms []member
	for _, u := range wf.Use {
		m := member{dir: filepath.Join(dir, filepath.FromSlash(u.Path)), use: filepath.ToSlash(filepath.Clean(u.Path))}
		if filepath.IsAbs(u.Path) {
			m.dir = filepath.Clean(u.Path)
		}
		if data, err := os.ReadFile(filepath.Join(m.dir, "go.mod")); err == nil {
			m.path = modfile.ModulePath(data)
		}
		ms = append(ms, m)
	}
	return ms, true, nil
}

// workspaceRoot is the error for dir when it holds a go.work: smartmigrate
// migrates one module at a time, so it names the members to run it in.
func workspaceRoot(dir string) error {
	ms, ok, err := readWorkspace(dir)
	if !ok || err != nil {
		return err
	}
	return &InputError{Msg: fmt.Sprintf("%s is a go.work workspace, not a module: run smartmigrate in one of its modules (%s), point -C at one, or name one's packages (%s)", dir, uses(ms), example(ms))}
}

// example is a pattern naming the first member's packages.
func example(ms []member) string {
	if len(ms) == 0 {
		return "./a/..."
	}
	return "./" + strings.TrimPrefix(ms[0].use, "./") + "/..."
}

// WorkspaceMember resolves a run at the root of a go.work workspace: when
// dir is governed by no go.mod but holds a go.work, and every pattern
// names packages of one member module (a path pattern such as ./a/...
// or an import path pattern under the member's module path), it returns
// the member's folder and the patterns as seen from there. Anywhere else
// it returns dir and patterns unchanged. Patterns that span members, or
// name none, are an *InputError: smartmigrate migrates one module at a
// time.
func WorkspaceMember(dir string, patterns []string) (string, []string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil || len(patterns) == 0 || governed(abs) {
		return dir, patterns, nil
	}
	ms, ok, err := readWorkspace(abs)
	if !ok || err != nil {
		return dir, patterns, err
	}
	var owner *member
	out := make([]string, len(patterns))
	for i, pat := range patterns {
		m, rel := memberOf(abs, ms, pat)
		if m == nil {
			return "", nil, &InputError{Msg: fmt.Sprintf("%s: no single module of the workspace %s holds these packages (its modules: %s; name one's packages, as in %s)", pat, abs, uses(ms), example(ms))}
		}
		if owner != nil && owner.dir != m.dir {
			return "", nil, &InputError{Msg: fmt.Sprintf("%s and %s are in different modules of the workspace (%s, %s): smartmigrate migrates one module at a time", patterns[0], pat, owner.use, m.use)}
		}
		owner, out[i] = m, rel
	}
	return owner.dir, out, nil
}

// governed reports whether a go.mod in dir or a parent governs dir.
func governed(dir string) bool {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return true
		}
		if filepath.Dir(d) == d {
			return false
		}
	}
}

// memberOf returns the member whose packages pat names, and pat as seen
// from that member's folder; nil when none does. The longest match wins,
// so a member nested in another is found.
func memberOf(ws string, ms []member, pat string) (*member, string) {
	var best *member
	var rel string
	for i := range ms {
		m := &ms[i]
		r, ok := within(ws, m, pat)
		if ok && (best == nil || len(m.dir) > len(best.dir)) {
			best, rel = m, r
		}
	}
	return best, rel
}

// within reports whether pat names packages of m, and how m spells it.
func within(ws string, m *member, pat string) (string, bool) {
	if !strings.HasPrefix(pat, ".") && !filepath.IsAbs(pat) {
		// An import path pattern works unchanged inside the member.
		ok := m.path != "" && (pat == m.path || strings.HasPrefix(pat, m.path+"/"))
		return pat, ok
	}
	p := pat
	if !filepath.IsAbs(p) {
		p = filepath.Join(ws, filepath.FromSlash(p))
	}
	r, err := filepath.Rel(m.dir, filepath.Clean(p))
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", false
	}
	if r == "." {
		return ".", true
	}
	return "./" + filepath.ToSlash(r), true
}

// uses lists the members as go.work spells them.
func uses(ms []member) string {
	var us []string
	for _, m := range ms {
		us = append(us, m.use)
	}
	sort.Strings(us)
	return strings.Join(us, ", ")
}
