package analysis

import (
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// ShownPosition is where pos is, for people: the place a //line directive
// names when that is a real file below root (a grammar that generated
// the Go file, say), else the place in the Go file itself, since a
// position in a file nobody can open (a virtual one, a path from the
// machine that generated the code) helps no one.
func ShownPosition(fset *token.FileSet, pos token.Pos, root string) token.Position {
	adj := fset.Position(pos)
	raw := fset.PositionFor(pos, false)
	if adj.Filename == raw.Filename {
		return raw
	}
	name := adj.Filename
	if !filepath.IsAbs(name) {
		name = filepath.Join(filepath.Dir(raw.Filename), name)
	}
	if root != "" && realFile(name, root) {
		adj.Filename = name
		return adj
	}
	return raw
}

var realFiles sync.Map // path -> bool

// realFile reports whether path is a regular file below root.
func realFile(path, root string) bool {
	rel, err := filepath.Rel(root, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return false
	}
	if v, ok := realFiles.Load(path); ok {
		return v.(bool)
	}
	fi, err := os.Stat(path)
	ok := err == nil && fi.Mode().IsRegular()
	realFiles.Store(path, ok)
	return ok
}
