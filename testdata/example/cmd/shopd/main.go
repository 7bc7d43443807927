// Command shopd serves the shop's inventory over HTTP.
//
// At start-up it mirrors the user directory into the inventory database,
// giving every user an account item, and keeps the two in step every
// -sync-every.
//
// Usage:
//
//	shopd [-addr localhost:8080] [-api URL] [-db DSN] [-sync-every 5m] [-after-sync script]
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"log"
	"net/http"
	"strings"
	"time"

	"example.com/shop/api"
	"example.com/shop/internal/health"
	"example.com/shop/internal/retry"
	"example.com/shop/runner"
	"example.com/shop/store"
)

// server holds what the HTTP handlers and the sync loop share.
type server struct {
	api   *api.Client
	store *store.Store
}

func main() {
	addr := flag.String("addr", "localhost:8080", "listen on `address`")
	apiURL := flag.String("api", "http://localhost:9090", "user directory service `URL`")
	dsn := flag.String("db", "shop", "inventory database `DSN`")
	every := flag.Duration("sync-every", 5*time.Minute, "sync with the user directory this often")
	hook := flag.String("after-sync", "", "shell `script` to run after the first sync")
	flag.Parse()

	st, err := store.Open(*dsn)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	s := &server{api: api.New(*apiURL), store: st}

	if err := health.Check(*apiURL + "/healthz"); err != nil {
		log.Printf("shopd: user directory looks unhealthy, trying anyway: %v", err)
	}
	if err := retry.Do(3, func() error { return s.sync() }); err != nil {
		log.Fatalf("shopd: first sync: %v", err)
	}
	if *hook != "" {
		out, err := runner.Shell(*hook)
		if err != nil {
			log.Fatalf("shopd: after-sync hook: %v", err)
		}
		log.Printf("shopd: after-sync hook: %s", out)
	}
	go s.syncEvery(*every)

	http.HandleFunc("/items/", s.handleItem)
	log.Printf("shopd: listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, nil))
}

// accountID returns the ID of the account item of the user with the
// given id.
func accountID(userID string) string {
	return "account-" + userID
}

// sync gives every user in the directory an account item, with a zero
// balance, unless it already has one.
func (s *server) sync() error {
	users, err := s.api.ListUsers()
	if err != nil {
		return err
	}
	var missing []store.Item
	for _, u := range users {
		_, err := s.store.Get(accountID(u.ID))
		switch {
		case errors.Is(err, store.ErrNotFound):
			missing = append(missing, store.Item{ID: accountID(u.ID), Name: u.Name})
		case err != nil:
			return err
		}
	}
	if len(missing) == 0 {
		return nil
	}
	log.Printf("shopd: opening %d new accounts", len(missing))
	return s.store.PutMany(missing)
}

// syncEvery calls sync every d, forever, logging failures.
func (s *server) syncEvery(d time.Duration) {
	for range time.Tick(d) {
		if err := s.sync(); err != nil {
			log.Printf("shopd: sync: %v", err)
		}
	}
}

// handleItem serves GET /items/{id}: the item as JSON.
func (s *server) handleItem(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	id := strings.TrimPrefix(r.URL.Path, "/items/")
	it, err := s.store.Get(id)
	if errors.Is(err, store.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		log.Printf("shopd: get item %q: %v", id, err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(it)
}
