// Package redistest runs a private redis-server for a test.
package redistest

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Start runs a redis-server on a free loopback port until the test ends and returns its host
// and port. The port is found free and then handed to the server, so another process may take
// it in between: a server that exits before it answers is started again on another port.
func Start(t testing.TB) (string, int) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redis-server is not installed (apt-get install redis-server); .ci/run installs it")
	}
	for attempt := 1; ; attempt++ {
		port, err := start(t, bin)
		if err == nil {
			return "127.0.0.1", port
		}
		if attempt == 5 {
			t.Fatal(err)
		}
	}
}

// start runs one redis-server and waits until it answers, or until it exits.
func start(t testing.TB, bin string) (int, error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })
	c := redis.NewClient(&redis.Options{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))})
	defer func() { _ = c.Close() }()
	for deadline := time.Now().Add(30 * time.Second); ; {
		if c.Ping(context.Background()).Err() == nil {
			return port, nil
		}
		select {
		case <-exited:
			return 0, fmt.Errorf("redis-server on port %d exited before it answered", port)
		default:
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("redis-server on port %d did not answer", port)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Client is a client of the server at host:port, closed when the test ends.
func Client(t testing.TB, host string, port int) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: net.JoinHostPort(host, strconv.Itoa(port))})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// WaitFor polls until cond holds, and fails the test if it does not within a generous bound
// (the bound only stops a broken test; no result depends on how fast things are).
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
