package health

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestCheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.Error(w, "sick", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	if err := Check(srv.URL + "/healthz"); err != nil {
		t.Errorf("Check(/healthz) = %v, want nil", err)
	}
	if err := Check(srv.URL + "/other"); err == nil {
		t.Error("Check(/other) = nil, want an error for 503")
	}
}
