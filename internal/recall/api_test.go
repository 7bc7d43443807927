//go:build recall

package recall

import (
	"os"
	"path/filepath"
	"testing"
)

// writeTree writes files (name to content) below a new temporary folder
// and returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestGained checks the comparison on two small versions: in place, a
// sibling, a method moved to the type that embedded its receiver, an
// interface method, a function whose sibling existed already, and what
// is never compared (test files, examples, main packages, unexported
// names).
func TestGained(t *testing.T) {
	old := writeTree(t, map[string]string{
		"c.go": `package c
type baseClient struct{}
func (c *baseClient) Do(cmd string) error { return nil }
type Client struct{ baseClient }
func (c *Client) Get(key string) string { return "" }
func Fetch(id string) error { return nil }
func Dial(addr string) error { return nil }
func DialContext(addr string) error { return nil }
func (c *Client) Ping() error { return nil }
func helper() {}
type Getter interface{ Get(key string) string }
`,
		"c_test.go":         "package c\nfunc TestOnly() {}\n",
		"examples/x/x.go":   "package x\nfunc Example() {}\n",
		"cmd/tool/main.go":  "package main\nfunc Run() {}\nfunc main() {}\n",
		"internal/p/p.go":   "package p\ntype Pool[T any] struct{}\nfunc (p *Pool[T]) Get() T { var z T; return z }\n",
		"internal/p/doc.go": "package p\n",
	})
	cur := writeTree(t, map[string]string{
		"c.go": `package c
import stdctx "context"
type baseClient struct{}
type Client struct{ baseClient }
func (c *Client) Do(ctx stdctx.Context, cmd string) error { return nil }
func (c *Client) Get(ctx stdctx.Context, key string) string { return "" }
func Fetch(id string) error { return nil }
func FetchWithContext(ctx stdctx.Context, id string) error { return nil }
func Dial(addr string) error { return nil }
func DialContext(ctx stdctx.Context, addr string) error { return nil }
func (c *Client) Ping() error { return nil }
func helper(ctx stdctx.Context) {}
type Getter interface{ Get(ctx stdctx.Context, key string) string }
`,
		"internal/p/p.go": "package p\nimport \"context\"\ntype Pool[T any] struct{}\nfunc (p *Pool[T]) Get(ctx context.Context) T { var z T; return z }\n",
	})
	oldAPI, err := ScanAPI(old)
	if err != nil {
		t.Fatal(err)
	}
	curAPI, err := ScanAPI(cur)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for k, g := range Gained(oldAPI, curAPI) {
		got[k.String()] = g.How
		if g.Iface != (k.Recv == "Getter") {
			t.Errorf("%s: Iface = %v", k, g.Iface)
		}
	}
	want := map[string]string{
		"Client.Get":    "in place",
		"Fetch":         "sibling FetchWithContext",
		"baseClient.Do": "moved to Client.Do, in place",
		"Getter.Get":    "in place",
		// Dial's sibling existed already: only DialContext changed.
		"DialContext":         "in place",
		"internal/p/Pool.Get": "in place",
	}
	for k, how := range want {
		if got[k] != how {
			t.Errorf("%s: got %q, want %q", k, got[k], how)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s gained a ctx, want not (%s)", k, got[k])
		}
	}
}
