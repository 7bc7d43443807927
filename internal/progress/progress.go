// Package progress says what a long job is doing, on a terminal only.
//
// A *Printer is passed down through options; a nil *Printer prints
// nothing, so code that reports progress never checks whether anyone
// listens. Lines are plain text, without escape codes.
package progress

import (
	"fmt"
	"golang.org/x/term"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Printer writes progress lines ("smartmigrate: loaded 12 packages in
// 1.2s") to a writer. The zero value and nil print nothing. It is safe for
// concurrent use.
type Printer struct {
	mu sync.Mutex
	w  io.Writer
}

// New returns a Printer that writes to w when w is a terminal, and nil
// (print nothing) otherwise: progress is for people watching, never for a
// pipe or a log file.
func New(w io.Writer) *Printer {
	if !IsTerminal(w) {
		return nil
	}
	return &Printer{w: w}
}

// To returns a Printer that always writes to w (for tests, and for
// --progress-like overrides).
func To(w io.Writer) *Printer { return &Printer{w: w} }

// IsTerminal reports whether w is a terminal (golang.org/x/term: a
// character device such as /dev/null is not one).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && f != nil && term.IsTerminal(int(f.Fd()))
}

// Printf writes one progress line, prefixed with "smartmigrate: "; a
// missing final newline is added.
func (p *Printer) Printf(format string, args ...any) {
	if p == nil || p.w == nil {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	io.WriteString(p.w, "smartmigrate: "+msg)
}

// Step prints what starts ("go vet…") and returns a function that prints
// what ended, with the time since ("go vet done in 1.2s"); done's format
// gets the duration appended.
func (p *Printer) Step(format string, args ...any) (done func(format string, args ...any)) {
	if p == nil || p.w == nil {
		return func(string, ...any) {}
	}
	start := time.Now()
	p.Printf(format, args...)
	return func(f string, a ...any) {
		p.Printf("%s in %s", fmt.Sprintf(f, a...), Round(time.Since(start)))
	}
}

// Round rounds d for people: tenths of a second, milliseconds below one.
func Round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}
