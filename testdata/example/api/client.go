// Package api is a client for the shop's user directory service.
//
// The service speaks JSON over HTTP:
//
//	GET    /users/{id}     one user
//	GET    /users?page=N   one page of the directory
//	POST   /users          create a user
//	DELETE /users/{id}     delete a user
//	GET    /ping           liveness
package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// User is a user record as the directory service returns it.
type User struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
}

// Client talks to the user directory service at BaseURL.
//
// A Client is safe for concurrent use by multiple goroutines.
type Client struct {
	// BaseURL is the service root, without a trailing slash,
	// for example "https://users.internal.example.com".
	BaseURL string

	// HTTP is the client used for requests that change state.
	HTTP *http.Client
}

// New returns a Client for the service at baseURL.
func New(baseURL string) *Client {
	return &Client{
		BaseURL: strings.TrimRight(baseURL, "/"),
		HTTP:    &http.Client{Timeout: 30 * time.Second},
	}
}

// StatusError is returned when the service answers with an unexpected
// HTTP status.
type StatusError struct {
	Method string
	URL    string
	Code   int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("api: %s %s: unexpected status %d %s",
		e.Method, e.URL, e.Code, http.StatusText(e.Code))
}

// url returns the address of the user with the given id.
func (c *Client) url(id string) string {
	return c.BaseURL + "/users/" + url.PathEscape(id)
}

// Fetch returns the raw JSON record of the user with the given id.
func (c *Client) Fetch(id string) ([]byte, error) {
	u := c.url(id)
	resp, err := http.Get(u)
	if err != nil {
		return nil, fmt.Errorf("api: fetch %s: %w", id, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &StatusError{Method: http.MethodGet, URL: u, Code: resp.StatusCode}
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("api: fetch %s: reading body: %w", id, err)
	}
	slog.Info("fetched", "id", id, "bytes", len(b))
	return b, nil
}

// load fetches and decodes the user with the given id.
func (c *Client) load(id string) (*User, error) {
	b, err := c.Fetch(id)
	if err != nil {
		return nil, err
	}
	var u User
	if err := json.Unmarshal(b, &u); err != nil {
		return nil, fmt.Errorf("api: decoding user %s: %w", id, err)
	}
	return &u, nil
}

// Load returns the user with the given id.
func (c *Client) Load(id string) (*User, error) {
	return c.load(id)
}

// Create registers u with the service. On success u.ID is set to the
// id the service assigned.
func (c *Client) Create(u *User) error {
	body, err := json.Marshal(u)
	if err != nil {
		return fmt.Errorf("api: create: %w", err)
	}
	resp, err := c.HTTP.Post(c.BaseURL+"/users", "application/json", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("api: create: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return &StatusError{Method: http.MethodPost, URL: c.BaseURL + "/users", Code: resp.StatusCode}
	}
	if err := json.NewDecoder(resp.Body).Decode(u); err != nil {
		return fmt.Errorf("api: create: decoding reply: %w", err)
	}
	return nil
}

// Delete removes the user with the given id.
func (c *Client) Delete(id string) error {
	req, err := http.NewRequest(http.MethodDelete, c.url(id), nil)
	if err != nil {
		return fmt.Errorf("api: delete %s: %w", id, err)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("api: delete %s: %w", id, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
		return &StatusError{Method: http.MethodDelete, URL: req.URL.String(), Code: resp.StatusCode}
	}
	return nil
}
