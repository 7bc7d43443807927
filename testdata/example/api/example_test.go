package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"example.com/shop/api"
)

func ExampleClient_Load() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"id":"42","name":"Grace","email":"grace@example.com"}`)
	}))
	defer srv.Close()

	c := api.New(srv.URL)
	u, err := c.Load("42")
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(u.Name, u.Email)
	// Output: Grace grace@example.com
}

// cache is a Fetcher that serves from memory and falls back to another
// Fetcher, as a caller outside the package would write it.
type cache struct {
	next    api.Fetcher
	records map[string][]byte
	misses  int
}

func (c *cache) Fetch(id string) ([]byte, error) {
	if b, ok := c.records[id]; ok {
		return b, nil
	}
	c.misses++
	b, err := c.next.Fetch(id)
	if err != nil {
		return nil, err
	}
	c.records[id] = b
	return b, nil
}

func TestWarm(t *testing.T) {
	var (
		mu       sync.Mutex
		requests []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests = append(requests, r.URL.Path)
		mu.Unlock()
		id := strings.TrimPrefix(r.URL.Path, "/users/")
		fmt.Fprintf(w, `{"id":%q}`, id)
	}))
	defer srv.Close()

	c := &cache{next: api.New(srv.URL), records: map[string][]byte{}}
	if err := api.Warm(c, []string{"a", "b", "a"}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got := append([]string(nil), requests...)
	mu.Unlock()
	if c.misses != 2 || len(got) != 2 {
		t.Errorf("misses = %d, requests = %v; want 2 of each", c.misses, got)
	}
	if err := api.Warm(api.New(srv.URL), []string{"c"}); err != nil {
		t.Fatalf("Warm with a *Client: %v", err)
	}
}

func TestWarmError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	if err := api.Warm(api.New(srv.URL), []string{"a"}); err == nil {
		t.Fatal("Warm against a server that knows no users succeeded, want an error")
	}
}
