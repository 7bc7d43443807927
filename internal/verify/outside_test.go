package verify

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/patch"
)

// importedBack is a module whose tests import a module outside it
// (example.com/dep, replaced by a folder) that imports the module back,
// as nats.go's tests import nats-server, which imports nats.go: the
// outside package is compiled against the module as the phase leaves it.
var importedBack = map[string]string{
	"go.mod":     "module example.com/v\n\ngo 1.24\n\nrequire example.com/dep v0.0.0\n\nreplace example.com/dep => ./dep\n",
	"v.go":       backV,
	"v_test.go":  "package v_test\n\nimport (\n\t\"testing\"\n\n\t\"example.com/dep\"\n\t\"example.com/v\"\n)\n\nfunc TestUse(t *testing.T) { dep.Use(&v.T{}) }\n",
	"dep/go.mod": "module example.com/dep\n\ngo 1.24\n\nrequire example.com/v v0.0.0\n",
	"dep/dep.go": `package dep

import "example.com/v"

// Other has M.
type Other struct{}

// M is a method.
func (Other) M() {}

// D embeds a v.T and an Other: D.M is Other's as long as v.T has no M.
type D struct {
	*v.T
	Other
}

// Use uses x.
func Use(x *v.T) int { D{T: x}.M(); return x.N }
`,
}

const backV = "package v\n\n// T is a type.\ntype T struct{ N int }\n"

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "v")
	for name, data := range files {
		path := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestOutsideImporterOfChangedPackage: a package outside the module that
// imports a changed package is checked again against it, so that a
// compatible addition passes and an added method that makes a selector
// of the outside package ambiguous fails, in both modes.
func TestOutsideImporterOfChangedPackage(t *testing.T) {
	forEachMode(t, func(t *testing.T, mode VetMode) {
		root := writeTree(t, importedBack)
		added := backV + "\n// G is new.\nfunc G() {}\n"
		files := []patch.FileChange{{Path: "v.go", Old: []byte(backV), New: []byte(added)}}
		if _, err := Phase(t.Context(), Input{Root: root, Vet: mode, Files: files}); err != nil {
			t.Fatalf("a compatible addition fails: %v", err)
		}
		ambiguous := backV + "\n// M makes dep.D.M ambiguous.\nfunc (*T) M() {}\n"
		files = []patch.FileChange{{Path: "v.go", Old: []byte(backV), New: []byte(ambiguous)}}
		_, err := Phase(t.Context(), Input{Root: root, Vet: mode, Files: files})
		var f *Failure
		// go vet on the copy is where the go command compiles dep.
		if !errors.As(err, &f) || !strings.Contains(f.Detail, "ambiguous selector") || (mode == VetInProcess && f.Check != "type-check") {
			t.Fatalf("error = %v, want a failure naming the ambiguous selector", err)
		}
	})
}
