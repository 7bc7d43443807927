// Package testenv tunes, for the tests of this module, the environment of
// the go commands that the code under test starts. Only tests import it.
package testenv

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// GOGC is the garbage collector setting that LessGC gives the go commands.
const GOGC = "400"

// LessGC sets GOGC for the processes a test binary starts from now on (go
// list for every load, go vet, go test and the compilers they run), unless
// the environment sets it already. Those processes are short-lived and,
// at the default GOGC=100, spend about a fifth of their CPU collecting
// garbage, in a test suite that is CPU-bound. It changes nothing they
// compute, nor the test process itself, whose collector read GOGC when
// it started.
func LessGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		os.Setenv("GOGC", GOGC)
	}
}

// BenchModules are the modules benchmarks measure, by name: the bundled
// example (at example, relative to the test's folder) plus any folders
// named in SMARTMIGRATE_BENCH_MODULES (comma-separated), for real modules
// downloaded outside the repository.
func BenchModules(example string) map[string]string {
	mods := map[string]string{"example": example}
	for _, dir := range strings.Split(os.Getenv("SMARTMIGRATE_BENCH_MODULES"), ",") {
		if dir = strings.TrimSpace(dir); dir != "" {
			mods[filepath.Base(dir)] = dir
		}
	}
	return mods
}

// Buffer is a bytes.Buffer that a test may read while another goroutine
// (a progress printer's live line) writes to it.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns what was written so far.
func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
