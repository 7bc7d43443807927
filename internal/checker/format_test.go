package checker

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGitHubEscapes: a workflow command's message escapes %, CR and LF,
// its properties : and , too, as GitHub's runner reads them; the file is
// named relative to the module root.
func TestGitHubEscapes(t *testing.T) {
	f := Finding{File: "sub/a,b:c.go", inRoot: "mod/sub/a,b:c.go", Line: 3, Col: 6, Message: "100% blocks\r\nnow: add x, y"}
	var out bytes.Buffer
	if err := Write(&out, FormatGitHub, Result{Findings: []Finding{f}}); err != nil {
		t.Fatal(err)
	}
	want := "::warning file=mod/sub/a%2Cb%3Ac.go,line=3,col=6,title=ctxcheck::100%25 blocks%0D%0Anow: add x, y\n"
	if out.String() != want {
		t.Errorf("got  %q\nwant %q", out.String(), want)
	}
}

// TestSARIFURI: SARIF names files relative to the module root.
func TestSARIFURI(t *testing.T) {
	log := sarifOf(Result{Findings: []Finding{{File: "a.go", inRoot: "pkg/a.go", Line: 1, Col: 2, Message: "m"}}})
	loc := log.Runs[0].Results[0].Locations[0].Physical
	if loc.Artifact.URI != "pkg/a.go" || loc.Region.StartLine != 1 || loc.Region.StartColumn != 2 {
		t.Errorf("location %+v", loc)
	}
}

// TestSARIFColumns: SARIF counts columns in UTF-16 code units, the go
// command in bytes; a name after non-ASCII text on its line is moved.
func TestSARIFColumns(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a.go")
	// "é" is 2 bytes and 1 unit, "𝔵" 4 bytes and 2 units.
	src := "package a\n\nfunc (é 𝔵) Fetch() {}\n"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	byteCol := strings.Index(strings.Split(src, "\n")[2], "Fetch") + 1
	log := sarifOf(Result{Findings: []Finding{{File: "a.go", inRoot: "a.go", abs: file, Line: 3, Col: byteCol, Message: "m"}}})
	run := log.Runs[0]
	if got, want := run.Results[0].Locations[0].Physical.Region.StartColumn, byteCol-3; got != want || run.ColumnKind != "utf16CodeUnits" {
		t.Errorf("column %d (%s), want %d in UTF-16 code units (byte column %d)", got, run.ColumnKind, want, byteCol)
	}
}
