package verify

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/patch"
	"github.com/smartmigrate/smartmigrate/internal/testenv"
	"golang.org/x/tools/go/packages"
)

// BenchmarkTypeCheckPhase compares the two ways to type-check a phase
// against the module as loaded: go/types over the loaded packages (what
// VetInProcess does) and go/packages with an Overlay of the changed file
// (patterns: the changed package's folder). Each iteration adds a new
// function to the first file of the module's first package.
func BenchmarkTypeCheckPhase(b *testing.B) {
	for name, dir := range testenv.BenchModules("../../testdata/example") {
		old, err := load.Load(b.Context(), dir)
		if err != nil {
			b.Fatal(err)
		}
		file := old.Packages[0].CompiledGoFiles[0]
		src, err := os.ReadFile(file)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		phase := func() []patch.FileChange {
			n++
			return []patch.FileChange{{Path: old.Rel(file), Old: src, New: fmt.Appendf([]byte(string(src)), "\nfunc smartmigrateBench%d() {}\n", n)}}
		}
		b.Run(name+"/importer", func(b *testing.B) {
			for b.Loop() {
				inc, err := checkIncremental(b.Context(), old, phase(), true)
				if err != nil || len(inc.broken()) > len(inc.before()) {
					b.Fatalf("%v %v", err, inc.broken())
				}
			}
		})
		b.Run(name+"/overlay", func(b *testing.B) {
			for b.Loop() {
				f := phase()[0]
				cfg := &packages.Config{Context: b.Context(), Mode: load.Mode, Dir: old.Dir, Tests: true,
					Overlay: map[string][]byte{file: f.New}}
				if _, err := packages.Load(cfg, "./"+filepath.ToSlash(filepath.Dir(f.Path))); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
