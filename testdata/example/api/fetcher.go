package api

import "fmt"

// Fetcher is implemented by anything that can return a user's raw record.
// *Client is a Fetcher; tests and caches provide others.
type Fetcher interface {
	Fetch(id string) ([]byte, error)
}

// Warm fetches each of ids through f, typically to fill a cache in
// front of the service. It stops at the first error.
func Warm(f Fetcher, ids []string) error {
	for _, id := range ids {
		if _, err := f.Fetch(id); err != nil {
			return fmt.Errorf("api: warm: %w", err)
		}
	}
	return nil
}

// Prefetch fetches each of ids and discards the records, so that the
// service's own caches are hot before a batch job starts.
func (c *Client) Prefetch(ids []string) error {
	return each(ids, c.Fetch)
}

// each calls fn for every id and returns the first error.
func each(ids []string, fn func(string) ([]byte, error)) error {
	for _, id := range ids {
		if _, err := fn(id); err != nil {
			return err
		}
	}
	return nil
}
