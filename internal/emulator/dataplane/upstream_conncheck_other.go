//go:build !unix

package dataplane

// idleConnUsable cannot peek at a socket on this system: a pooled connection is taken as
// usable, and a request that must not be sent twice fails with 502 if the upstream had
// closed it.
func idleConnUsable(*upstreamConn) bool { return true }
