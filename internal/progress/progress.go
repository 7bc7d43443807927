// Package progress says what a long job is doing, on a terminal only.
//
// A *Printer is passed down through options; a nil *Printer prints
// nothing, so code that reports progress never checks whether anyone
// listens. Lines are plain text, without escape codes; a live line
// (Live) is redrawn in place with a carriage return, and erased with the
// terminal's erase-line code unless TERM is dumb.
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
	// live is the live line on screen, "" when none.
	live string
	// dumb is true when the terminal cannot erase a line (TERM=dumb):
	// spaces overwrite the live line instead.
	dumb bool
}

// New returns a Printer that writes to w when w is a terminal, and nil
// (print nothing) otherwise: progress is for people watching, never for a
// pipe or a log file.
func New(w io.Writer) *Printer {
	if !IsTerminal(w) {
		return nil
	}
	return &Printer{w: w, dumb: os.Getenv("TERM") == "dumb"}
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
	live := p.live
	p.erase()
	io.WriteString(p.w, "smartmigrate: "+msg)
	p.draw(live)
}

// LiveInterval is how often a live line is redrawn.
const LiveInterval = 200 * time.Millisecond

// Live shows, until stop is called, a line redrawn in place every
// LiveInterval: "smartmigrate: " + text() + the time since Live was
// called ("smartmigrate: loading packages: 12 of 40 folders parsed,
// 3.2s"). Lines that Printf writes meanwhile go above it. stop erases
// it; it is safe to call more than once.
func (p *Printer) Live(text func() string) (stop func()) {
	if p == nil || p.w == nil {
		return func() {}
	}
	start := time.Now()
	redraw := func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.erase()
		p.draw(fmt.Sprintf("%s, %s", text(), Round(time.Since(start))))
	}
	redraw()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(LiveInterval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				redraw()
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			wg.Wait()
			p.mu.Lock()
			defer p.mu.Unlock()
			p.erase()
		})
	}
}

// draw writes line as the live line (mu held); "" draws nothing.
func (p *Printer) draw(line string) {
	if line == "" {
		return
	}
	io.WriteString(p.w, "\rsmartmigrate: "+line)
	p.live = line
}

// erase removes the live line from the screen (mu held).
func (p *Printer) erase() {
	if p.live == "" {
		return
	}
	if p.dumb {
		io.WriteString(p.w, "\r"+strings.Repeat(" ", len("smartmigrate: ")+len(p.live))+"\r")
	} else {
		io.WriteString(p.w, "\r\x1b[K")
	}
	p.live = ""
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
