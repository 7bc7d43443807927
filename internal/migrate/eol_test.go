package migrate

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/patch"
)

// TestKeepLineEndings: a CRLF file's printed lines get CRLF, an LF file
// and a mixed one are left as they are, and a new file gets its folder's
// endings.
func TestKeepLineEndings(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "w"), 0o755)
	os.WriteFile(filepath.Join(root, "w", "a.go"), []byte("package w\r\n\r\nfunc A() {}\r\n"), 0o644)
	os.WriteFile(filepath.Join(root, "l.go"), []byte("package l\n"), 0o644)
	files := []patch.FileChange{
		{Path: "w/a.go", Old: []byte("package w\r\n\r\nfunc A() {}\r\n"), New: []byte("package w\r\n\r\nfunc A() {\n\t_ = 1\n}\r\n")},
		{Path: "l.go", Old: []byte("package l\n"), New: []byte("package l\n\nfunc L() {}\n")},
		{Path: "m.go", Old: []byte("a\r\nb\n\n"), New: []byte("a\r\nb\nc\n")},
		{Path: "w/ctxconn.go", New: []byte("package w\n\nfunc h() {}\n")},
		{Path: "newlf.go", New: []byte("package l\n")},
	}
	keepLineEndings(root, files)
	want := []string{
		"package w\r\n\r\nfunc A() {\r\n\t_ = 1\r\n}\r\n",
		"package l\n\nfunc L() {}\n",
		"a\r\nb\nc\n",
		"package w\r\n\r\nfunc h() {}\r\n",
		"package l\n",
	}
	for i, f := range files {
		if string(f.New) != want[i] {
			t.Errorf("%s = %q, want %q", f.Path, f.New, want[i])
		}
	}
}
