// Package api is importable: its exported function gets a ctx form.
package api

import "net"

// Ping dials addr.
func Ping(addr string) error { // want Ping:"blocks via net.Dial" `^Ping blocks \(net.Dial at example.com/fix/api/ping.go:8\) without a context.Context: add PingContext\(ctx context.Context, \.\.\.\)$`
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	return c.Close()
}
