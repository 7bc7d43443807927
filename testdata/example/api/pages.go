package api

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// maxPages bounds ListUsers so that a misbehaving server cannot keep it
// following "next" links forever.
const maxPages = 1000

// userPage is one page of the user directory. Next is the number of the
// following page, or 0 on the last page.
type userPage struct {
	Users []User `json:"users"`
	Next  int    `json:"next"`
}

// ListUsers returns every user in the directory, following the
// service's pagination.
func (c *Client) ListUsers() ([]User, error) {
	return c.fetchPage(1, nil)
}

// fetchPage fetches page number page, appends its users to acc and
// continues with the next page, if any.
func (c *Client) fetchPage(page int, acc []User) ([]User, error) {
	u := fmt.Sprintf("%s/users?page=%d", c.BaseURL, page)
	resp, err := http.Get(u)
	if err != nil {
		return nil, fmt.Errorf("api: list users, page %d: %w", page, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, &StatusError{Method: http.MethodGet, URL: u, Code: resp.StatusCode}
	}
	var p userPage
	err = json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("api: list users, page %d: %w", page, err)
	}
	return c.followNext(page, p.Next, append(acc, p.Users...))
}

// followNext continues a listing after page: it returns acc when there
// is no next page, and fetches the next one otherwise.
func (c *Client) followNext(page, next int, acc []User) ([]User, error) {
	switch {
	case next == 0:
		return acc, nil
	case next <= page || next > maxPages:
		return nil, fmt.Errorf("api: list users: bad next page %d after page %d", next, page)
	}
	return c.fetchPage(next, acc)
}
