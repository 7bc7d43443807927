// Package b blocks only through package a: the facts cross the package
// boundary.
package b

import (
	"context"

	"example.com/a"
	"example.com/b/internal/c"
)

// Use blocks through a.Fetch; the finding names the sink in package a.
func Use() error { // want Use:"blocks via http.Get at example.com/a/a.go:16" `^Use blocks \(http.Get at example.com/a/a.go:16\) without a context.Context: add UseContext\(ctx context.Context, \.\.\.\)$`
	_, err := a.Fetch("http://example.com")
	return err
}

// UseGet calls a.Get, which has a ctx form: a sink call in its own right.
func UseGet() error { // want UseGet:"blocks via a.Get at example.com/b/b.go:20" `^UseGet blocks \(a.Get at example.com/b/b.go:20\)`
	return a.Get("x")
}

// UseCtx takes a context: nothing to report.
func UseCtx(ctx context.Context) error {
	_, err := a.Fetch("http://example.com")
	return err
}

// useGen blocks through a generated function of the module, which gets no
// ctx form: a ctx of useGen could not reach the request, so it is not
// reported.
func useGen() error { // want useGen:"blocks via http.Head"
	return a.GenFetch("x")
}

// Calm calls only what does not block.
func Calm() int {
	_ = a.Root()
	a.Log("hi")
	return a.Pure(1)
}

// Deep blocks through an internal package.
func Deep() error { // want Deep:"blocks via exec.Command at example.com/b/internal/c/c.go:8" `^Deep blocks \(exec.Command at example.com/b/internal/c/c.go:8\) without a context.Context: add DeepContext`
	return c.Run()
}

// T reads through an a.R.
type T struct{ r a.R }

// Read implements io.Reader by delegation, but b does not import io: its
// signature is not fixed here (only the direct imports' interfaces are
// checked), yet it is not reported: a.R.Read, which it calls, gets no ctx
// form, so a ctx could reach nothing.
func (t T) Read(p []byte) (int, error) { // want Read:"blocks via exec.Command"
	return t.r.Read(p)
}

// SyncAll blocks through a.Source, whose Pull blocks in package a.
func SyncAll(srcs []a.Source) error { // want SyncAll:"blocks via exec.Command at example.com/a/a.go:\\d+" `^SyncAll blocks \(exec.Command at example.com/a/a.go:\d+\)`
	for _, s := range srcs {
		if err := s.Pull(); err != nil {
			return err
		}
	}
	return nil
}
