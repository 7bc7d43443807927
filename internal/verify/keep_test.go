package verify

import (
	"errors"
	"strings"
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/patch"
)

const (
	keepQ   = "package q\n\n// T is a type.\ntype T struct{ N int }\n"
	keepUse = "package use\n\nimport \"example.com/v/q\"\n\n// N reads t.\nfunc N(t *q.T) int { return t.N }\n"
)

// keepModule is a module whose package use imports q.
func keepModule(t *testing.T, more map[string]string) string {
	files := map[string]string{"go.mod": "module example.com/v\n\ngo 1.24\n", "q/q.go": keepQ, "use/use.go": keepUse}
	for k, v := range more {
		files[k] = v
	}
	return writeTree(t, files)
}

// keepPhase adds added to q/q.go.
func keepPhase(added string) []patch.FileChange {
	return []patch.FileChange{{Path: "q/q.go", Old: []byte(keepQ), New: []byte(keepQ + added)}}
}

// typeCheckNote is the note of the type-check step.
func typeCheckNote(res *Result) string {
	for _, s := range res.Steps {
		if s.Name == "type-check" {
			return s.Note
		}
	}
	return ""
}

// TestImportersKept: a phase that only adds a function and a method to q
// keeps use, which neither embeds q.T nor dot-imports q, as loaded, and
// returns no module; when the caller plans from the module, use is
// checked again.
func TestImportersKept(t *testing.T) {
	root := keepModule(t, nil)
	files := keepPhase("\n// G is new.\nfunc G() {}\n\n// M is new.\nfunc (*T) M() {}\n")
	res, err := Phase(t.Context(), Input{Root: root, Files: files})
	if err != nil {
		t.Fatal(err)
	}
	if note := typeCheckNote(res); !strings.Contains(note, "1 package checked again") || !strings.Contains(note, "1 importer as loaded") || res.Module != nil {
		t.Errorf("note %q, module %v: want use kept as loaded and no module", note, res.Module != nil)
	}
	res, err = Phase(t.Context(), Input{Root: root, Files: files, WantModule: true})
	if err != nil {
		t.Fatal(err)
	}
	if note := typeCheckNote(res); !strings.Contains(note, "2 packages checked again") || strings.Contains(note, "as loaded") || res.Module == nil {
		t.Errorf("WantModule: note %q, module %v: want both checked and a module", note, res.Module != nil)
	}
}

// TestImportersNotKept: where keeping the importers as loaded would miss
// a build failure (an added method that makes a selector ambiguous
// through an embedding, in a package-level or a local struct type, an
// added name that collides in a dot-importer, a
// changed constant), they are checked again, in both modes.
func TestImportersNotKept(t *testing.T) {
	withK := keepQ + "\n// K is a size.\nconst K = 2\n"
	cases := map[string]struct {
		more     map[string]string
		old, new string
		want     string
	}{
		"ambiguous selector": {
			more: map[string]string{"emb/emb.go": "package emb\n\nimport \"example.com/v/q\"\n\n// O has M.\ntype O struct{}\n\n// M is a method.\nfunc (O) M() {}\n\n// D embeds both.\ntype D struct {\n\t*q.T\n\tO\n}\n\n// Use calls D's M.\nfunc Use() { D{}.M() }\n"},
			old:  keepQ, new: keepQ + "\n// M makes emb.D.M ambiguous.\nfunc (*T) M() {}\n",
			want: "ambiguous selector",
		},
		"ambiguous selector in a local type": {
			more: map[string]string{"loc/loc.go": "package loc\n\nimport \"example.com/v/q\"\n\n// O has M.\ntype O struct{}\n\n// M is a method.\nfunc (O) M() {}\n\n// Use calls a local type's M.\nfunc Use() {\n\ttype d struct {\n\t\tq.T\n\t\tO\n\t}\n\td{}.M()\n}\n"},
			old:  keepQ, new: keepQ + "\n// M makes Use's d.M ambiguous.\nfunc (T) M() {}\n",
			want: "ambiguous selector",
		},
		"dot-import": {
			more: map[string]string{"dot/dot.go": "package dot\n\nimport . \"example.com/v/q\"\n\n// G is dot's own.\nfunc G() *T { return nil }\n"},
			old:  keepQ, new: keepQ + "\n// G collides with dot.G.\nfunc G() {}\n",
			want: "already declared through dot-import",
		},
		"changed constant": {
			more: map[string]string{"arr/arr.go": "package arr\n\nimport \"example.com/v/q\"\n\n// A has q.K elements.\nvar A = [q.K]int{}\n\n// B is A's second.\nvar B = A[1]\n"},
			old:  withK, new: strings.Replace(withK, "K = 2", "K = 1", 1),
			want: "out of bounds",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			forEachMode(t, func(t *testing.T, mode VetMode) {
				more := map[string]string{"q/q.go": tc.old}
				for k, v := range tc.more {
					more[k] = v
				}
				root := keepModule(t, more)
				files := []patch.FileChange{{Path: "q/q.go", Old: []byte(tc.old), New: []byte(tc.new)}}
				_, err := Phase(t.Context(), Input{Root: root, Vet: mode, Files: files})
				var f *Failure
				if !errors.As(err, &f) || !strings.Contains(f.Detail, tc.want) {
					t.Fatalf("error = %v, want a failure saying %q", err, tc.want)
				}
			})
		})
	}
}

// TestPlainLeftToTestVariant: when q has in-package tests, a phase in q
// is checked through q's test variant alone, which still finds a type
// error outside the test files and a name that collides with one of
// them; when the importers must be checked again, the plain q is too.
func TestPlainLeftToTestVariant(t *testing.T) {
	const qTest = "package q\n\nimport \"testing\"\n\nfunc helper() int { return 1 }\n\nfunc TestN(t *testing.T) { _ = helper() }\n"
	tests := map[string]string{"q/q_test.go": qTest}
	root := keepModule(t, tests)
	res, err := Phase(t.Context(), Input{Root: root, Files: keepPhase("\n// G is new.\nfunc G() {}\n")})
	if err != nil {
		t.Fatal(err)
	}
	if note := typeCheckNote(res); !strings.Contains(note, "1 package checked again in process (1 only as its test variant)") || !strings.Contains(note, "importers as loaded") {
		t.Errorf("note %q: want q checked only as its test variant, use kept", note)
	}
	refused := map[string]string{
		"type error": "\n// G is wrong.\nfunc G() int { return \"s\" }\n",
		"collision":  "\nfunc helper() int { return 2 }\n",
	}
	for name, added := range refused {
		_, err := Phase(t.Context(), Input{Root: root, Files: keepPhase(added)})
		var f *Failure
		if !errors.As(err, &f) || f.Check != "type-check" {
			t.Errorf("%s: err %v, want a type-check failure", name, err)
		}
	}
	tests["emb/emb.go"] = "package emb\n\nimport \"example.com/v/q\"\n\n// O has M.\ntype O struct{}\n\n// M is a method.\nfunc (O) M() {}\n\n// D embeds both.\ntype D struct {\n\t*q.T\n\tO\n}\n\n// Use calls D's M.\nfunc Use() { D{}.M() }\n"
	root = keepModule(t, tests)
	_, err = Phase(t.Context(), Input{Root: root, Files: keepPhase("\n// M makes emb.D.M ambiguous.\nfunc (*T) M() {}\n")})
	if f := (*Failure)(nil); !errors.As(err, &f) || !strings.Contains(f.Detail, "ambiguous selector") {
		t.Errorf("embedding: err %v, want the ambiguous selector found with q checked again", err)
	}
}
