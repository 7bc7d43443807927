package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tiny is a legacy module small enough for every go test ./... run: an
// HTTP client whose exported API reaches a sink through an unexported
// helper, with a test that passes offline.
var tiny = map[string]string{
	"go.mod": "module example.com/tiny\n\ngo 1.22\n",
	"tiny.go": `// Package tiny fetches things.
package tiny

import (
	"io"
	"net/http"
)

// Fetch returns the body at url.
func Fetch(url string) ([]byte, error) {
	return get(url)
}

func get(url string) ([]byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}
`,
	"tiny_test.go": `package tiny

import "testing"

func TestFetchBadURL(t *testing.T) {
	if _, err := Fetch("::"); err == nil {
		t.Fatal("no error")
	}
}
`,
}

func gitTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "m")
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"init", "-q"},
		{"config", "user.name", "t"},
		{"config", "user.email", "t@example.com"},
		{"config", "commit.gpgsign", "false"},
		{"add", "-A"},
		{"commit", "-q", "-m", "legacy"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", args[0], err, out)
		}
	}
	return dir
}

// TestRunTiny runs the whole harness on a tiny module: every phase
// applies, the tests pass before and after, and reverting gives back the
// exact tree.
func TestRunTiny(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	if testing.Short() {
		t.Skip("applies phases")
	}
	t.Setenv("GOWORK", "off")
	dir := gitTree(t, tiny)
	row, err := Run(context.Background(), dir, Options{Verify: "go build ./...", TestTimeout: 2 * time.Minute, Log: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := Table(&out, []*Row{row}); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", out.String())
	if len(row.Failures) > 0 {
		t.Fatalf("failures: %v", row.Failures)
	}
	if row.Finalized != 1 {
		t.Errorf("finalize was not applied")
	}
	if row.Module != "example.com/tiny" || row.Phases < 1 || row.Units != 2 || row.Rewritten < 1 || row.Incompatible != 0 || row.TODO != 0 {
		t.Errorf("row = %+v", row)
	}
	if row.Plans["bottom-up"] != row.Phases {
		t.Errorf("bottom-up plan has %d phases, %d applied", row.Plans["bottom-up"], row.Phases)
	}
	if got := row.TestsBefore.String(); got != "1/1" || row.TestsAfter.String() != "1/1" {
		t.Errorf("tests before %s, after %s; want 1/1", got, row.TestsAfter)
	}
	if row.LOC != strings.Count(tiny["tiny.go"], "\n") {
		t.Errorf("LOC = %d", row.LOC)
	}
	// The reverts are not committed: the tree is the first commit's.
	cmd := exec.Command("git", "diff", "--stat", "HEAD~"+strconv.Itoa(row.Phases+row.Finalized), "--", ".", ":!.smartmigrate")
	cmd.Dir = dir
	if out, err := cmd.Output(); err != nil || len(out) > 0 {
		t.Errorf("git diff against the commit before the phases: %v %s", err, out)
	}
}

func TestParseTestJSON(t *testing.T) {
	in := `{"Action":"start","Package":"a"}
{"Action":"run","Package":"a","Test":"TestX"}
{"Action":"fail","Package":"a","Test":"TestX"}
{"Action":"fail","Package":"a"}
{"Action":"pass","Package":"b"}
{"Action":"skip","Package":"c"}
{"Action":"fail","Package":"d"}
`
	got := parseTestJSON([]byte(in))
	if !reflect.DeepEqual(got.Pass, []string{"b"}) || !reflect.DeepEqual(got.Fail, []string{"a", "d"}) {
		t.Fatalf("got %+v", got)
	}
}

func TestRegressions(t *testing.T) {
	before := TestRun{Pass: []string{"a", "b", "c"}, Fail: []string{"d"}}
	after := TestRun{Pass: []string{"a", "d"}, Fail: []string{"b"}}
	got := Regressions(before, after)
	if len(got) != 1 || !strings.Contains(got[0], "tests of b ") {
		t.Fatalf("got %q", got)
	}
}

func TestDiffSnapshots(t *testing.T) {
	a := map[string]string{"x.go": "1", "y.go": "2", ".smartmigrate/journal.json": "j"}
	b := map[string]string{"x.go": "1", "y.go": "3", "z.go": "4"}
	got := DiffSnapshots(a, b)
	want := []string{"y.go (changed)", "z.go (added)"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestModules(t *testing.T) {
	got, err := Modules("github.com/a/b@v1.0.0, github.com/c/d ,")
	if err != nil || !reflect.DeepEqual(got, []string{"github.com/a/b@v1.0.0", "github.com/c/d@latest"}) {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := Modules("@v1"); err == nil {
		t.Fatal("no error for @v1")
	}
	if got, _ := Modules(""); !reflect.DeepEqual(got, DefaultModules) {
		t.Fatalf("default: %q", got)
	}
}
