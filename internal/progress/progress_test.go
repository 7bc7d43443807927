package progress

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestNilPrintsNothing(t *testing.T) {
	var p *Printer
	p.Printf("loading %d", 1)
	p.Step("go vet…")("go vet done")
}

func TestNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	if New(&buf) != nil {
		t.Fatal("New on a buffer should be nil")
	}
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if New(f) != nil {
		t.Fatal("New on a regular file should be nil")
	}
}

func TestLines(t *testing.T) {
	var buf bytes.Buffer
	p := To(&buf)
	p.Printf("loading packages…")
	done := p.Step("go vet on %d packages…", 2)
	done("go vet done")
	got := buf.String()
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != 3 || lines[0] != "smartmigrate: loading packages…" ||
		lines[1] != "smartmigrate: go vet on 2 packages…" || !strings.HasPrefix(lines[2], "smartmigrate: go vet done in ") {
		t.Fatalf("got %q", got)
	}
	if strings.Contains(got, "\x1b") {
		t.Fatalf("escape code in %q", got)
	}
}
