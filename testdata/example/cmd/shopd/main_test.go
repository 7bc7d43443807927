package main

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"testing"

	"example.com/shop/api"
	"example.com/shop/store"
)

func TestMain(m *testing.M) {
	log.SetOutput(io.Discard)
	os.Exit(m.Run())
}

// newServer returns a server with a fresh store named after the test and
// an API client for directory, which may be nil.
func newServer(t *testing.T, directory http.Handler) *server {
	t.Helper()
	st, err := store.Open(t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := &server{store: st}
	if directory != nil {
		srv := httptest.NewServer(directory)
		t.Cleanup(srv.Close)
		s.api = api.New(srv.URL)
	}
	return s
}

func TestHandleItem(t *testing.T) {
	s := newServer(t, nil)
	if err := s.store.Put(&store.Item{ID: "apple", Name: "Apple", Qty: 10}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, path string
		code         int
		body         string
	}{
		{"GET", "/items/apple", 200, `{"ID":"apple","Name":"Apple","Qty":10}` + "\n"},
		{"GET", "/items/plum", 404, "404 page not found\n"},
		{"POST", "/items/apple", 405, "method not allowed\n"},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		s.handleItem(rec, httptest.NewRequest(tt.method, tt.path, nil))
		if rec.Code != tt.code || rec.Body.String() != tt.body {
			t.Errorf("%s %s = %d %q, want %d %q", tt.method, tt.path, rec.Code, rec.Body, tt.code, tt.body)
		}
	}
}

func TestSync(t *testing.T) {
	pages := map[string]string{
		"1": `{"users":[{"id":"u1","name":"Ada"},{"id":"u2","name":"Brian"}],"next":2}`,
		"2": `{"users":[{"id":"u3","name":"Claude"}]}`,
	}
	s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, pages[r.URL.Query().Get("page")])
	}))
	if err := s.store.Put(&store.Item{ID: "account-u2", Name: "Brian", Qty: 5}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // the second sync must change nothing
		if err := s.sync(); err != nil {
			t.Fatal(err)
		}
	}
	items, err := s.store.List()
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Item{
		{ID: "account-u1", Name: "Ada"},
		{ID: "account-u2", Name: "Brian", Qty: 5},
		{ID: "account-u3", Name: "Claude"},
	}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("after sync, items = %+v, want %+v", items, want)
	}
}

func TestSyncDirectoryDown(t *testing.T) {
	s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	}))
	if err := s.sync(); err == nil {
		t.Fatal("sync against a failing directory succeeded, want an error")
	}
}
