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
// through an embedding, an added name that collides in a dot-importer, a
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
