package journal

import (
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkAppend measures a transaction of 20 files (staged, synced,
// renamed, journaled) and its revert: what the write of a phase costs.
func BenchmarkAppend(b *testing.B) {
	var np NewPhase
	np.Strategy = "bottom-up"
	files := map[string]string{}
	for i := range 20 {
		name := fmt.Sprintf("p%d/f.go", i)
		files[name] = "package p\n\nfunc F() {}\n"
		np.Files = append(np.Files, FileWrite{Path: name, Old: []byte(files[name]), New: []byte("package p\n\nfunc F() { _ = 1 }\n")})
	}
	root := filepath.Join(b.TempDir(), "m")
	for name, data := range files {
		writeFile(filepath.Join(root, name), []byte(data))
	}
	b.ResetTimer()
	for range b.N {
		if _, err := Append(root, np); err != nil {
			b.Fatal(err)
		}
		if _, err := Revert(root, RevertOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
