package api

import (
	"fmt"
	"io"
	"net/http"
)

// Stream reads a user's raw record from the service. The request is not
// made until the first call to Read. Close releases the connection.
type Stream struct {
	url  string
	body io.ReadCloser
	err  error
}

// Open returns a Stream over the raw record of the user with the given id.
func (c *Client) Open(id string) *Stream {
	return &Stream{url: c.url(id)}
}

// Read implements io.Reader. The first call makes the request.
func (s *Stream) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.body == nil {
		resp, err := http.Get(s.url)
		if err != nil {
			s.err = fmt.Errorf("api: open stream: %w", err)
			return 0, s.err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			s.err = &StatusError{Method: http.MethodGet, URL: s.url, Code: resp.StatusCode}
			return 0, s.err
		}
		s.body = resp.Body
	}
	return s.body.Read(p)
}

// Close implements io.Closer.
func (s *Stream) Close() error {
	if s.body == nil {
		return nil
	}
	return s.body.Close()
}
