// Package a has the sinks; package b calls them, so the blocking facts
// exported here are what b sees.
package a

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"os/exec"
)

// Fetch calls a sink directly.
func Fetch(url string) (*http.Response, error) { // want Fetch:"blocks via http.Get at example.com/a/a.go:16" `^Fetch blocks \(http.Get at example.com/a/a.go:16\) without a context.Context: add FetchContext\(ctx context.Context, \.\.\.\)$`
	return http.Get(url)
}

// load blocks through Fetch: unexported, so ctx goes first, in place.
func load(url string) error { // want load:"blocks via http.Get" `^load blocks \(http.Get at example.com/a/a.go:16\) without a context.Context: add ctx context.Context as the first parameter$`
	_, err := Fetch(url)
	return err
}

// Load blocks two calls away from the sink.
func Load(url string) error { // want Load:"blocks via http.Get" `^Load blocks \(http.Get at example.com/a/a.go:16\)`
	return load(url)
}

// WithCtx already takes a context: never reported, and its callers do not
// block through it.
func WithCtx(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	_, err = http.DefaultClient.Do(req)
	return err
}

// Serve is an HTTP handler: r.Context() is its context.
func Serve(w http.ResponseWriter, r *http.Request) {
	_, _ = Fetch(r.URL.String())
}

// Get has its ctx form already: not reported; calls to Get are sink calls.
func Get(id string) error { return GetContext(context.Background(), id) }

// GetContext is Get's ctx form.
func GetContext(ctx context.Context, id string) error { return WithCtx(ctx, id) }

// Root makes a context for others: returning context.TODO() drops nothing.
func Root() context.Context { return context.TODO() }

// Drop throws a caller's context away: context.Background counts as a sink.
func Drop() error { // want Drop:"blocks via context.Background" `^Drop blocks \(context.Background at example.com/a/a.go:57\)`
	return WithCtx(context.Background(), "x")
}

// Log only logs: slog takes a context but never blocks.
func Log(msg string) { slog.Info(msg) }

// Store blocks through a database/sql method.
type Store struct{ db *sql.DB }

// Count is a method that blocks.
func (s *Store) Count() (n int, err error) { // want Count:"blocks via \\(\\*sql.DB\\).QueryRow" `^Count blocks \(\(\*sql.DB\).QueryRow at example.com/a/a.go:68\) without a context.Context: add CountContext`
	err = s.db.QueryRow("select count(*) from t").Scan(&n)
	return n, err
}

// R implements io.Reader, whose Read signature cannot take a ctx: it blocks
// (the fact) but is not reported.
type R struct{}

var _ io.Reader = R{}

func (R) Read(p []byte) (int, error) { // want Read:"blocks via exec.Command"
	return 0, exec.Command("true").Run()
}

// ping and pong call each other; pong reaches the sink. Both block.
func ping(n int) error { // want ping:"blocks via exec.Command" `^ping blocks`
	if n == 0 {
		return nil
	}
	return pong(n - 1)
}

func pong(n int) error { // want pong:"blocks via exec.Command" `^pong blocks`
	if err := exec.Command("true").Run(); err != nil {
		return err
	}
	return ping(n)
}

// Async starts a goroutine that blocks and returns at once: it does not
// block (the goroutine outlives the call).
func Async() {
	go func() { _ = exec.Command("true").Run() }()
}

// init is never reported.
func init() { _ = load("x") }

// Pure does not block.
func Pure(x int) int { return x * 2 }

// Source is implemented by Remote, which blocks: calls through it block.
type Source interface {
	Pull() error // want Pull:"blocks via exec.Command"
}

// Remote implements Source.
type Remote struct{}

func (Remote) Pull() error { // want Pull:"blocks via exec.Command" `^Pull blocks`
	return exec.Command("true").Run()
}

// Sync blocks through the interface.
func Sync(s Source) error { // want Sync:"blocks via exec.Command" `^Sync blocks`
	return s.Pull()
}

// Clock is implemented only by a test double that blocks: calls through it
// do not block.
type Clock interface{ Now() int }

// Tick does not block.
func Tick(c Clock) int { return c.Now() }
