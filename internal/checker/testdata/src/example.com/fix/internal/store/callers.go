package store

import (
	"context"
	"net/http"
)

// Nightly has a ctx to pass.
func Nightly(ctx context.Context) error { return backup("/var/lib") }

// Handle has its request's.
func Handle(w http.ResponseWriter, r *http.Request) {
	if err := backup("/srv"); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}
