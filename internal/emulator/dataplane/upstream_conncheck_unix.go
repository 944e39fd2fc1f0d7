//go:build unix

package dataplane

import (
	"crypto/tls"
	"errors"
	"syscall"
)

// idleConnUsable tells whether a pooled connection can carry a request: the upstream has
// neither closed nor reset it, nor sent anything unasked (a peek at the socket that does not
// wait). A request that must not be sent twice is only written on such a connection.
func idleConnUsable(c *upstreamConn) bool {
	if c.br.Buffered() > 0 {
		return false
	}
	conn := c.conn
	if tc, ok := conn.(*tls.Conn); ok {
		conn = tc.NetConn()
	}
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return true
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	usable := false
	err = raw.Read(func(fd uintptr) bool {
		var b [1]byte
		_, _, rerr := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		// Only "nothing to read yet" means the connection is idle and open: data, an end
		// of file (n == 0, no error) or an error all rule it out.
		usable = errors.Is(rerr, syscall.EAGAIN) || errors.Is(rerr, syscall.EWOULDBLOCK)
		return true // never wait for the socket to become readable
	})
	return err == nil && usable
}
