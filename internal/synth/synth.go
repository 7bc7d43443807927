// Package synth writes synthetic legacy Go modules of a chosen size for
// scale tests: layers of packages with exported APIs, interfaces
// (exported and unexported), functions used as values, call cycles, sinks
// at the leaves and plain computation in between. The output is
// deterministic for a given Options.
package synth

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Options size the module.
type Options struct {
	// Lines is the approximate number of lines of Go to write.
	Lines int
	// Layers is the depth of the package graph (at least 2).
	Layers int
	// FuncsPerPackage is the number of functions in one package.
	FuncsPerPackage int
	// Seed makes the call graph; the same seed gives the same module.
	Seed uint64
	// Module is the module path.
	Module string
}

// Defaults fills the zero fields.
func (o Options) withDefaults() Options {
	if o.Layers < 2 {
		o.Layers = 6
	}
	if o.FuncsPerPackage <= 0 {
		o.FuncsPerPackage = 60
	}
	if o.Module == "" {
		o.Module = "example.com/synth"
	}
	if o.Lines <= 0 {
		o.Lines = 10000
	}
	return o
}

// linesPerFunc is about what one generated function takes, doc included.
const linesPerFunc = 12

// Stats says what was written.
type Stats struct {
	Packages, Funcs, Lines, Files int
}

// Generate writes the module into dir, which must be empty or missing.
func Generate(dir string, o Options) (Stats, error) {
	o = o.withDefaults()
	var st Stats
	nfuncs := o.Lines / linesPerFunc
	npkgs := max(o.Layers, (nfuncs+o.FuncsPerPackage/2)/o.FuncsPerPackage)
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	if err := write(dir, "go.mod", []byte(fmt.Sprintf("module %s\n\ngo 1.24\n", o.Module)), &st); err != nil {
		return st, err
	}
	inLayer := func(layer int) int {
		n := npkgs / o.Layers
		if layer < npkgs%o.Layers {
			n++
		}
		return n
	}
	for layer := 0; layer < o.Layers; layer++ {
		below := 0
		if layer > 0 {
			below = inLayer(layer - 1)
		}
		for i := 0; i < inLayer(layer); i++ {
			p := pkgGen{o: o, layer: layer, index: i, below: below, rng: rng}
			files := p.files()
			for name, src := range files {
				if err := write(dir, filepath.Join(p.dir(), name), src, &st); err != nil {
					return st, err
				}
			}
			st.Packages++
			st.Funcs += o.FuncsPerPackage
		}
	}
	return st, nil
}

func write(dir, name string, data []byte, st *Stats) error {
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	st.Files++
	st.Lines += bytes.Count(data, []byte("\n"))
	return nil
}

// pkgGen writes one package.
type pkgGen struct {
	o                   Options
	layer, index, below int // below: packages in the layer below
	rng                 *rand.Rand
}

func pkgName(layer, index int) string { return fmt.Sprintf("l%dp%d", layer, index) }

func (p pkgGen) dir() string {
	return filepath.Join(fmt.Sprintf("layer%d", p.layer), pkgName(p.layer, p.index))
}

func (p pkgGen) importPath(layer, index int) string {
	return fmt.Sprintf("%s/layer%d/%s", p.o.Module, layer, pkgName(layer, index))
}

// files returns the package's files: api.go (exported functions), impl.go
// (unexported helpers, interfaces, cycles) and a small test.
func (p pkgGen) files() map[string][]byte {
	name := pkgName(p.layer, p.index)
	n := p.o.FuncsPerPackage
	var api, impl bytes.Buffer
	// Callees in the layer below: two packages.
	var deps []int
	if p.layer > 0 {
		deps = []int{p.rng.IntN(p.below), p.rng.IntN(p.below)}
		if deps[0] == deps[1] {
			deps = deps[:1]
		}
	}
	imports := map[string]string{"fmt": "fmt", "strings": "strings"}
	if p.layer == 0 {
		imports["database/sql"] = "sql"
		imports["os/exec"] = "exec"
		imports["net/http"] = "http"
		imports["net"] = "net"
	}
	for _, d := range deps {
		imports[p.importPath(p.layer-1, d)] = pkgName(p.layer-1, d)
	}
	fmt.Fprintf(&api, "// Package %s is generated legacy code for scale tests.\npackage %s\n\nimport (\n", name, name)
	for _, path := range sortedPaths(imports) {
		fmt.Fprintf(&api, "\t%q\n", path)
	}
	api.WriteString(")\n\n")
	api.WriteString("var _ = strings.ToUpper\nvar _ = fmt.Sprint\n\n")
	fmt.Fprintf(&api, "// Store holds a database.\ntype Store struct{ DB *sql.DB; Client *http.Client }\n\n")
	if p.layer != 0 {
		// Only layer 0 imports database/sql and net/http; higher layers
		// define Store on their own types.
		api.Reset()
		fmt.Fprintf(&api, "// Package %s is generated legacy code for scale tests.\npackage %s\n\nimport (\n", name, name)
		for _, path := range sortedPaths(imports) {
			fmt.Fprintf(&api, "\t%q\n", path)
		}
		api.WriteString(")\n\n")
		api.WriteString("var _ = strings.ToUpper\nvar _ = fmt.Sprint\n\n")
		fmt.Fprintf(&api, "// Store wraps the stores below.\ntype Store struct{ Name string }\n\n")
	}
	// Exported interface with the Store as implementation.
	fmt.Fprintf(&api, "// Getter gets things.\ntype Getter interface {\n\tGet0(id string) (string, error)\n}\n\n")
	fmt.Fprintf(&impl, "package %s\n\nimport \"strings\"\n\n", name)
	fmt.Fprintf(&impl, "type runner interface {\n\trun(id string) (string, error)\n}\n\ntype upper struct{ s *Store }\n\nfunc (u upper) run(id string) (string, error) { return u.s.Get0(strings.ToUpper(id)) }\n\ntype lower struct{}\n\nfunc (lower) run(id string) (string, error) { return strings.ToLower(id), nil }\n\n")
	for i := 0; i < n; i++ {
		switch {
		case i%10 == 9:
			// Pure computation: never blocks.
			fmt.Fprintf(&impl, "func compute%d(xs []int) int {\n\ttotal := 0\n\tfor i, x := range xs {\n\t\tif i%%2 == 0 {\n\t\t\ttotal += x\n\t\t} else {\n\t\t\ttotal -= x\n\t\t}\n\t}\n\treturn total\n}\n\n", i)
		case i%10 == 7:
			// A call cycle through two unexported functions.
			fmt.Fprintf(&impl, "func ping%d(s *Store, n int) (string, error) {\n\tif n <= 0 {\n\t\treturn s.Get0(\"ping\")\n\t}\n\treturn pong%d(s, n-1)\n}\n\nfunc pong%d(s *Store, n int) (string, error) {\n\tif n%%3 == 0 {\n\t\treturn \"\", nil\n\t}\n\treturn ping%d(s, n-1)\n}\n\n", i, i, i, i)
		case i%10 == 5:
			// An unexported interface call and a function value.
			fmt.Fprintf(&impl, "func dispatch%d(s *Store, id string) (string, error) {\n\tvar r runner = upper{s}\n\tif len(id) > 8 {\n\t\tr = lower{}\n\t}\n\tf := s.Get0\n\tif _, err := f(id); err != nil {\n\t\treturn \"\", err\n\t}\n\treturn r.run(id)\n}\n\n", i)
		default:
			p.exported(&api, i, deps)
		}
	}
	test := fmt.Sprintf("package %s\n\nimport \"testing\"\n\nfunc TestCompute(t *testing.T) {\n\tif compute9([]int{1, 2}) != -1 {\n\t\tt.Fatal(\"compute\")\n\t}\n}\n", name)
	return map[string][]byte{"api.go": api.Bytes(), "impl.go": impl.Bytes(), name + "_test.go": []byte(test)}
}

// exported writes one exported method of Store: a sink at layer 0, calls
// into the layer below elsewhere.
func (p pkgGen) exported(w *bytes.Buffer, i int, deps []int) {
	fmt.Fprintf(w, "// Get%d returns the record id.\n", i)
	fmt.Fprintf(w, "func (s *Store) Get%d(id string) (string, error) {\n", i)
	if p.layer == 0 {
		switch i % 4 {
		case 0:
			fmt.Fprintf(w, "\tvar v string\n\tif err := s.DB.QueryRow(\"select v from t where id = ?\", id).Scan(&v); err != nil {\n\t\treturn \"\", fmt.Errorf(\"get %%s: %%w\", id, err)\n\t}\n\treturn v, nil\n}\n\n")
		case 1:
			fmt.Fprintf(w, "\tout, err := exec.Command(\"echo\", id).Output()\n\tif err != nil {\n\t\treturn \"\", err\n\t}\n\treturn strings.TrimSpace(string(out)), nil\n}\n\n")
		case 2:
			fmt.Fprintf(w, "\tresp, err := http.Get(\"http://localhost/\" + id)\n\tif err != nil {\n\t\treturn \"\", err\n\t}\n\tdefer resp.Body.Close()\n\treturn resp.Status, nil\n}\n\n")
		default:
			fmt.Fprintf(w, "\tc, err := net.Dial(\"tcp\", id)\n\tif err != nil {\n\t\treturn \"\", err\n\t}\n\tdefer c.Close()\n\treturn c.RemoteAddr().String(), nil\n}\n\n")
		}
		return
	}
	dep := pkgName(p.layer-1, deps[i%len(deps)])
	callee := (i * 7) % p.o.FuncsPerPackage
	for callee%10 == 9 || callee%10 == 7 || callee%10 == 5 {
		callee = (callee + 1) % p.o.FuncsPerPackage
	}
	fmt.Fprintf(w, "\tbelow := &%s.Store{}\n\tv, err := below.Get%d(strings.TrimSpace(id))\n\tif err != nil {\n\t\treturn \"\", fmt.Errorf(\"%s: %%w\", err)\n\t}\n\treturn v + s.Name, nil\n}\n\n", dep, callee, dep)
}

func sortedPaths(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
