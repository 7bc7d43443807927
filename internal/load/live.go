package load

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// parseCounter follows a load for the live progress line: the folders of
// the module holding Go files, and those whose files the load has parsed
// so far (go/packages parses a package's files, then type-checks it).
type parseCounter struct {
	on    bool
	mu    sync.Mutex
	total int
	dirs  map[string]bool
}

// newParseCounter counts the module's folders with Go files under root
// (not testdata, vendor, hidden or _ folders, nor nested modules), when
// on: only a terminal shows the count.
func newParseCounter(on bool, root string) *parseCounter {
	c := &parseCounter{on: on, dirs: map[string]bool{}}
	if !on {
		return c
	}
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			return SkipFolder(root, path, d.Name())
		}
		if strings.HasSuffix(d.Name(), ".go") && !c.dirs[filepath.Dir(path)] {
			c.dirs[filepath.Dir(path)] = true
			c.total++
		}
		return nil
	})
	c.dirs = map[string]bool{}
	return c
}

// LeftOut reports whether the go command leaves folders of this name out
// of ./...: testdata, vendor, and names that start with . or _.
func LeftOut(name string) bool {
	return name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// SkipFolder is, for a walk of the module at root, filepath.SkipDir for
// a folder path (named name) that ./... leaves out: LeftOut names and
// nested modules; else nil.
func SkipFolder(root, path, name string) error {
	if path == root {
		return nil
	}
	if LeftOut(name) {
		return filepath.SkipDir
	}
	if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
		return filepath.SkipDir
	}
	return nil
}

// parsed notes that the load parses filename.
func (c *parseCounter) parsed(filename string) {
	if !c.on {
		return
	}
	c.mu.Lock()
	c.dirs[filepath.Dir(filename)] = true
	c.mu.Unlock()
}

// text is the live line: what loads, and how far.
func (c *parseCounter) text(what string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.dirs)
	switch {
	case n == 0:
		return what + ": listing packages (go list)"
	case n > c.total:
		return fmt.Sprintf("%s: %d folders parsed, type-checking", what, n)
	}
	return fmt.Sprintf("%s: %d of %d folders parsed and type-checking", what, n, c.total)
}
