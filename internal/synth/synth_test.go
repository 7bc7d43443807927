package synth_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/synth"
	"github.com/smartmigrate/smartmigrate/internal/testenv"
)

func init() { testenv.LessGC() }

// TestGenerate writes a small module and checks that it is the size
// asked for, builds, vets and passes its tests, and that the same options
// give the same bytes.
func TestGenerate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "m")
	st, err := synth.Generate(dir, synth.Options{Lines: 6000, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if st.Lines < 4500 || st.Lines > 7500 {
		t.Errorf("wrote %d lines, want about 6000", st.Lines)
	}
	// go test -vet=off: the go vet before it has vetted every package.
	cmd := exec.Command("sh", "-c", "go vet ./... && go test -vet=off ./...")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generated module: %v\n%s", err, out)
	}
	again := filepath.Join(t.TempDir(), "m")
	if _, err := synth.Generate(again, synth.Options{Lines: 6000, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "layer3", "l3p0", "api.go"))
	b, _ := os.ReadFile(filepath.Join(again, "layer3", "l3p0", "api.go"))
	if len(a) == 0 || string(a) != string(b) {
		t.Error("the same options wrote different modules")
	}
}
