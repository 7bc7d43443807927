// Package downstream is a module outside example.com/shop that calls its
// API through the sync functions. After smartmigrate apply --finalize in
// the shop module, go fix ./... here moves these calls to the ctx forms.
package downstream

import (
	"example.com/shop/api"
	"example.com/shop/runner"
	"example.com/shop/store"
)

// Sync copies the users of the service into the store.
func Sync(c *api.Client, s *store.Store) error {
	users, err := c.ListUsers()
	if err != nil {
		return err
	}
	for _, u := range users {
		if _, err := s.Get(u.ID); err == nil {
			continue
		}
		if err := s.Put(&store.Item{ID: u.ID, Name: u.Name}); err != nil {
			return err
		}
	}
	return nil
}

// Open opens the store at dsn.
func Open(dsn string) (*store.Store, error) {
	return store.Open(dsn)
}

// Uname runs uname.
func Uname() (string, error) {
	return runner.Run("uname", "-a")
}
