package emulator_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
)

// startRedis runs a private redis-server on a free loopback port for the test.
func startRedis(t *testing.T) (string, int) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redis-server is not installed (apt-get install redis-server); .ci/run installs it")
	}
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
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port)})
	defer func() { _ = c.Close() }()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c.Ping(context.Background()).Err() == nil {
			return "127.0.0.1", port
		}
		if time.Now().After(deadline) {
			t.Fatal("redis-server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sameConfig creates the same service, route and plugin (same ids) in an emulator's default
// control plane, as two gateways of one deployment would have.
func sameConfig(t *testing.T, emu *emulator.Emulator, upstream, plugin string) {
	t.Helper()
	h := &harness{t: t, emu: emu}
	h.cp = uuid.MustParse(emu.DefaultControlPlaneID())
	host, port := hostPort(t, upstream)
	for _, step := range []struct{ path, body string }{
		{"/services/6a1d8e4e-9c39-4f3e-8d7a-1f2b3c4d5e6f", fmt.Sprintf(`{"name":"shared","host":%q,"port":%d}`, host, port)},
		{"/routes/0b5c7a2e-41d2-4c55-9a5e-8e9f0a1b2c3d", `{"paths":["/shared"],"service":{"id":"6a1d8e4e-9c39-4f3e-8d7a-1f2b3c4d5e6f"}}`},
		{"/routes/0b5c7a2e-41d2-4c55-9a5e-8e9f0a1b2c3d/plugins/3f2e1d0c-5b6a-4978-8695-a4b3c2d1e0f9", plugin},
	} {
		if status, out := h.raw(http.MethodPut, h.core(step.path), step.body); status != http.StatusOK {
			t.Fatalf("PUT %s: %d %v", step.path, status, out)
		}
	}
}

func TestRedisPolicySharesOneLimitAcrossEmulators(t *testing.T) {
	t.Parallel()
	host, port := startRedis(t)
	up := echoServer(t, "echo")
	plugin := fmt.Sprintf(`{"name":"rate-limiting","config":{"minute":5,"limit_by":"ip","policy":"redis","redis":{"host":%q,"port":%d}}}`, host, port)
	var proxies []string
	for range 2 {
		emu, err := emulator.Start(context.Background(), emulator.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = emu.Close() })
		sameConfig(t, emu, up.URL, plugin)
		proxies = append(proxies, emu.ProxyURL)
	}
	statuses := ""
	for i := range 8 {
		resp, _ := send(t, proxies[i%2], "GET", "/shared", nil)
		statuses += strconv.Itoa(resp.StatusCode) + " "
	}
	if statuses != "200 200 200 200 200 429 429 429 " {
		t.Fatalf("statuses across two emulators: %s (want 5 passes in all, then 429)", statuses)
	}
}

func TestRedisDownIsFaultTolerantOrNot(t *testing.T) {
	t.Parallel()
	up := echoServer(t, "echo")
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close() // nothing listens there now
	for _, tc := range []struct {
		tolerant bool
		status   int
	}{{true, 200}, {false, 500}} {
		emu, err := emulator.Start(context.Background(), emulator.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = emu.Close() })
		sameConfig(t, emu, up.URL, fmt.Sprintf(`{"name":"rate-limiting","config":{"minute":5,"policy":"redis","fault_tolerant":%t,"redis":{"host":"127.0.0.1","port":%d,"timeout":200}}}`, tc.tolerant, port))
		resp, body := send(t, emu.ProxyURL, "GET", "/shared", nil)
		if resp.StatusCode != tc.status || (tc.tolerant && resp.Header.Get("X-RateLimit-Limit-Minute") != "") {
			t.Fatalf("fault_tolerant=%v: %d %v %s", tc.tolerant, resp.StatusCode, resp.Header, body)
		}
	}
}
