package migrate

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
)

// leaveOutLinked takes out of model's units every unit that would change
// a source file that is a symbolic link, or that is below a linked
// folder: units declared in such a file, and in-place units called from
// one (their call sites would change). Smartmigrate never writes through
// a link (it could change a file outside the module behind the journal's
// back), and replacing the link with a file would change what the module
// means. Their functions get analysis.SkipLinked,
// so the plan lists them; the warnings name each linked file and where it
// points.
func leaveOutLinked(model *analysis.Model) []string {
	linked := linkedFiles(model)
	if len(linked) == 0 {
		return nil
	}
	model.LeaveOut(func(u *analysis.Unit) analysis.Skip {
		if file := linkedFileOf(model, u, linked); file != "" {
			return analysis.Skip{Code: analysis.SkipLinked, Detail: file + " is a symbolic link"}
		}
		return analysis.Skip{}
	})
	var warnings []string
	for _, name := range sortedKeys(linked) {
		warnings = append(warnings, fmt.Sprintf("%s is a symbolic link (to %s); smartmigrate never writes through a link, so what would change it is left out", name, linked[name]))
	}
	return warnings
}

// linkedFiles maps each source file of the model that is a symbolic link,
// or whose real path is outside the module root, to where it points.
func linkedFiles(model *analysis.Model) map[string]string {
	root := model.Load.Dir
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		realRoot = root
	}
	seen := map[string]bool{}
	linked := map[string]string{}
	for _, f := range model.Funcs {
		if f.File == nil || seen[f.File.Name] {
			continue
		}
		seen[f.File.Name] = true
		if to, ok := IsLinked(root, realRoot, f.File.Name); ok {
			linked[f.File.Name] = to
		}
	}
	return linked
}

// IsLinked reports whether rel (slash-separated, relative to root) is a
// symbolic link or resolves outside realRoot (root with its own links
// resolved), and says where it points. A file that does not exist is not
// linked.
func IsLinked(root, realRoot, rel string) (string, bool) {
	path := filepath.Join(root, filepath.FromSlash(rel))
	fi, err := os.Lstat(path)
	if err != nil {
		return "", false
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		// A dangling link: still a link.
		return "a missing file", fi.Mode()&os.ModeSymlink != 0
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		return real, true
	}
	if r, err := filepath.Rel(realRoot, real); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return real, true
	}
	return "", false
}

// linkedFileOf returns the linked file that migrating u would change, or
// "".
func linkedFileOf(model *analysis.Model, u *analysis.Unit, linked map[string]string) string {
	for _, f := range u.Funcs {
		if f.File != nil && linked[f.File.Name] != "" {
			return f.File.Name
		}
	}
	if u.Kind != analysis.InPlace {
		return ""
	}
	members := map[*analysis.Func]bool{}
	for _, f := range u.Funcs {
		members[f] = true
	}
	for _, caller := range model.Funcs {
		if caller.File == nil || linked[caller.File.Name] == "" {
			continue
		}
		for _, c := range caller.Calls {
			for _, t := range c.Targets() {
				if members[t] {
					return caller.File.Name
				}
			}
		}
	}
	return ""
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
