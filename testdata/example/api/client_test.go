package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

func TestMain(m *testing.M) {
	// Fetch logs every request; keep test and benchmark output quiet.
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

// directory is an in-memory user directory service for tests.
type directory struct {
	mu       sync.Mutex
	users    map[string]User
	order    []string
	nextID   int
	pageSize int
	hits     atomic.Int64
}

// newDirectory starts a directory service holding five users, served two
// per page, and returns it with its server.
func newDirectory(tb testing.TB) (*directory, *httptest.Server) {
	d := &directory{users: make(map[string]User), pageSize: 2, nextID: 1}
	for _, name := range []string{"Ada", "Brian", "Claude", "Dennis", "Edsger"} {
		d.add(User{Name: name})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", d.get)
	mux.HandleFunc("DELETE /users/{id}", d.delete)
	mux.HandleFunc("GET /users", d.list)
	mux.HandleFunc("POST /users", d.create)
	mux.HandleFunc("GET /ping", func(w http.ResponseWriter, r *http.Request) {})
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return d, srv
}

func (d *directory) add(u User) User {
	u.ID = "u" + strconv.Itoa(d.nextID)
	d.nextID++
	d.users[u.ID] = u
	d.order = append(d.order, u.ID)
	return u
}

// lookup returns the user with the given id, if the directory holds it.
func (d *directory) lookup(id string) (User, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	u, ok := d.users[id]
	return u, ok
}

func (d *directory) get(w http.ResponseWriter, r *http.Request) {
	d.hits.Add(1)
	u, ok := d.lookup(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	json.NewEncoder(w).Encode(u)
}

func (d *directory) delete(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	id := r.PathValue("id")
	if _, ok := d.users[id]; !ok {
		http.NotFound(w, r)
		return
	}
	delete(d.users, id)
	for i, o := range d.order {
		if o == id {
			d.order = append(d.order[:i], d.order[i+1:]...)
			break
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (d *directory) list(w http.ResponseWriter, r *http.Request) {
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 {
		http.Error(w, "bad page", http.StatusBadRequest)
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	p := userPage{Users: []User{}}
	start := (page - 1) * d.pageSize
	for i := start; i < start+d.pageSize && i < len(d.order); i++ {
		p.Users = append(p.Users, d.users[d.order[i]])
	}
	if start+d.pageSize < len(d.order) {
		p.Next = page + 1
	}
	json.NewEncoder(w).Encode(p)
}

func (d *directory) create(w http.ResponseWriter, r *http.Request) {
	var u User
	if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	d.mu.Lock()
	u = d.add(u)
	d.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(u)
}

func TestFetch(t *testing.T) {
	_, srv := newDirectory(t)
	c := New(srv.URL)
	b, err := c.Fetch("u1")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"id":"u1","name":"Ada"}`+"\n"; got != want {
		t.Errorf("Fetch(u1) = %q, want %q", got, want)
	}
}

func TestFetchNotFound(t *testing.T) {
	_, srv := newDirectory(t)
	_, err := New(srv.URL).Fetch("nobody")
	var se *StatusError
	if !errors.As(err, &se) || se.Code != http.StatusNotFound {
		t.Fatalf("Fetch(nobody) error = %v, want a 404 *StatusError", err)
	}
}

func TestLoad(t *testing.T) {
	_, srv := newDirectory(t)
	u, err := New(srv.URL).Load("u3")
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != "u3" || u.Name != "Claude" {
		t.Errorf("Load(u3) = %+v, want u3 Claude", u)
	}
}

func TestCreate(t *testing.T) {
	d, srv := newDirectory(t)
	c := New(srv.URL)
	u := &User{Name: "Frances", Email: "frances@example.com"}
	if err := c.Create(u); err != nil {
		t.Fatal(err)
	}
	if u.ID != "u6" {
		t.Errorf("Create set ID %q, want u6", u.ID)
	}
	if got, _ := d.lookup("u6"); got != *u {
		t.Errorf("directory holds %+v, want %+v", got, *u)
	}
}

func TestDelete(t *testing.T) {
	d, srv := newDirectory(t)
	c := New(srv.URL)
	if err := c.Delete("u2"); err != nil {
		t.Fatal(err)
	}
	if _, ok := d.lookup("u2"); ok {
		t.Error("u2 still in the directory after Delete")
	}
	if err := c.Delete("u2"); err == nil {
		t.Error("second Delete(u2) succeeded, want an error")
	}
}

func TestListUsers(t *testing.T) {
	_, srv := newDirectory(t)
	users, err := New(srv.URL).ListUsers()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range users {
		names = append(names, u.Name)
	}
	if got, want := fmt.Sprint(names), "[Ada Brian Claude Dennis Edsger]"; got != want {
		t.Errorf("ListUsers names = %s, want %s", got, want)
	}
}

func TestListUsersBadNext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"users":[],"next":1}`)
	}))
	defer srv.Close()
	if _, err := New(srv.URL).ListUsers(); err == nil {
		t.Fatal("ListUsers followed a link back to page 1, want an error")
	}
}

func TestPrefetch(t *testing.T) {
	d, srv := newDirectory(t)
	if err := New(srv.URL).Prefetch([]string{"u1", "u2", "u3"}); err != nil {
		t.Fatal(err)
	}
	if n := d.hits.Load(); n != 3 {
		t.Errorf("server saw %d fetches, want 3", n)
	}
	if err := New(srv.URL).Prefetch([]string{"u1", "nobody", "u3"}); err == nil {
		t.Error("Prefetch with an unknown id succeeded, want an error")
	}
}

func TestStream(t *testing.T) {
	d, srv := newDirectory(t)
	s := New(srv.URL).Open("u4")
	defer s.Close()
	if n := d.hits.Load(); n != 0 {
		t.Fatalf("Open made %d requests, want none before Read", n)
	}
	b, err := io.ReadAll(s)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"id":"u4","name":"Dennis"}`+"\n"; got != want {
		t.Errorf("stream read %q, want %q", got, want)
	}
}

func TestStreamNotFound(t *testing.T) {
	_, srv := newDirectory(t)
	s := New(srv.URL).Open("nobody")
	defer s.Close()
	if _, err := io.ReadAll(s); err == nil {
		t.Fatal("reading a missing user's stream succeeded, want an error")
	}
}

func TestPing(t *testing.T) {
	_, srv := newDirectory(t)
	if err := New(srv.URL).Ping(); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkLoad(b *testing.B) {
	_, srv := newDirectory(b)
	c := New(srv.URL)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Load("u1"); err != nil {
			b.Fatal(err)
		}
	}
}
