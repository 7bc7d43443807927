package progress

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/smartmigrate/smartmigrate/internal/testenv"
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

// A live line is drawn at once, redrawn in place, goes below the lines
// printed meanwhile, and is erased by stop.
func TestLive(t *testing.T) {
	var buf testenv.Buffer
	p := To(&buf)
	n := 0
	stop := p.Live(func() string { n++; return fmt.Sprintf("step %d", n) })
	time.Sleep(LiveInterval + LiveInterval/2)
	p.Printf("between")
	stop()
	stop()
	got := buf.String()
	if !strings.HasPrefix(got, "\rsmartmigrate: step 1, ") {
		t.Fatalf("the live line is not drawn at once: %q", got)
	}
	if !strings.Contains(got, "\rsmartmigrate: step 2, ") {
		t.Fatalf("the live line is not redrawn in place: %q", got)
	}
	if !strings.Contains(got, "\r\x1b[Ksmartmigrate: between\n\rsmartmigrate: step 2") {
		t.Fatalf("a printed line does not go above the live line: %q", got)
	}
	if !strings.HasSuffix(got, "\r\x1b[K") {
		t.Fatalf("stop does not erase the live line: %q", got)
	}
}

// On a dumb terminal the live line is overwritten with spaces.
func TestLiveDumb(t *testing.T) {
	var buf testenv.Buffer
	p := &Printer{w: &buf, dumb: true}
	p.Live(func() string { return "x" })()
	if got := buf.String(); strings.Contains(got, "\x1b") || !strings.HasSuffix(got, "\r"+strings.Repeat(" ", len("smartmigrate: x, 0s"))+"\r") {
		t.Fatalf("got %q", got)
	}
}
