package emulator_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
	"github.com/openkonnect/terraform-provider-konnect/internal/redistest"
)

// emulatorEndpoints is what a test needs of an emulator, in this process or another.
type emulatorEndpoints struct {
	URL          string `json:"url"`
	Token        string `json:"token"`
	ProxyURL     string `json:"proxy_url"`
	ControlPlane string `json:"control_plane"`
}

func endpointsOf(emu *emulator.Emulator) emulatorEndpoints {
	return emulatorEndpoints{URL: emu.URL, Token: emu.Token, ProxyURL: emu.ProxyURL, ControlPlane: emu.DefaultControlPlaneID()}
}

// childEmulatorEnv makes the test binary, run with -test.run=^TestChildEmulator$, serve an
// emulator for another test until its standard input closes.
const childEmulatorEnv = "KONNECT_EMULATOR_TEST_CHILD"

// childEmulatorLine starts the line on which the child tells its endpoints.
const childEmulatorLine = "child emulator: "

// TestChildEmulator is not a test: it is the emulator that startChildEmulator runs in a process
// of its own (it does nothing in a normal run).
func TestChildEmulator(t *testing.T) {
	if os.Getenv(childEmulatorEnv) != "1" {
		return
	}
	emu, err := emulator.Start(context.Background(), emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = emu.Close() }()
	line, err := json.Marshal(endpointsOf(emu))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(childEmulatorLine + string(line))
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// startChildEmulator runs an emulator in another process (this test binary again), so that it
// shares nothing with this one but what goes over sockets.
func startChildEmulator(t *testing.T) emulatorEndpoints {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildEmulator$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEmulatorEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	t.Cleanup(func() {
		_ = stdin.Close()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	lines := bufio.NewScanner(stdout)
	var ep emulatorEndpoints
	for lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), childEmulatorLine); ok {
			if err := json.Unmarshal([]byte(rest), &ep); err != nil {
				t.Fatalf("child emulator: %v", err)
			}
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stdout); _ = cmd.Wait(); close(exited) }()
	if ep.ProxyURL == "" {
		t.Fatal("the child emulator did not start")
	}
	return ep
}

// sameConfig creates the same service, route and plugin (same ids) in an emulator's default
// control plane, as two gateways of one deployment would have.
func sameConfig(t *testing.T, emu emulatorEndpoints, upstream, plugin string) {
	t.Helper()
	host, port := hostPort(t, upstream)
	for _, step := range []struct{ path, body string }{
		{"/services/6a1d8e4e-9c39-4f3e-8d7a-1f2b3c4d5e6f", fmt.Sprintf(`{"name":"shared","host":%q,"port":%d}`, host, port)},
		{"/routes/0b5c7a2e-41d2-4c55-9a5e-8e9f0a1b2c3d", `{"paths":["/shared"],"service":{"id":"6a1d8e4e-9c39-4f3e-8d7a-1f2b3c4d5e6f"}}`},
		{"/routes/0b5c7a2e-41d2-4c55-9a5e-8e9f0a1b2c3d/plugins/3f2e1d0c-5b6a-4978-8695-a4b3c2d1e0f9", plugin},
	} {
		url := emu.URL + "/v2/control-planes/" + emu.ControlPlane + "/core-entities" + step.path
		req, err := http.NewRequest(http.MethodPut, url, strings.NewReader(step.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+emu.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT %s: %d %s", step.path, resp.StatusCode, body)
		}
	}
}

// Two emulators, in two processes, share one limit through Redis: five requests pass in all,
// and Redis holds the one counter they share (a daily one, so that no window ends midway).
func TestRedisPolicySharesOneLimitAcrossEmulators(t *testing.T) {
	t.Parallel()
	host, port := redistest.Start(t)
	up := echoServer(t, "echo")
	plugin := fmt.Sprintf(`{"name":"rate-limiting","config":{"day":5,"limit_by":"ip","policy":"redis","redis":{"host":%q,"port":%d}}}`, host, port)
	here, err := emulator.Start(context.Background(), emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = here.Close() })
	emulators := []emulatorEndpoints{endpointsOf(here), startChildEmulator(t)}
	for _, emu := range emulators {
		sameConfig(t, emu, up.URL, plugin)
	}
	statuses := ""
	for i := range 8 {
		resp, _ := send(t, emulators[i%2].ProxyURL, "GET", "/shared", nil)
		statuses += strconv.Itoa(resp.StatusCode) + " "
	}
	if statuses != "200 200 200 200 200 429 429 429 " {
		t.Fatalf("statuses across two emulators: %s (want 5 passes in all, then 429)", statuses)
	}
	rdb := redistest.Client(t, host, port)
	keys, err := rdb.Keys(context.Background(), "ratelimit:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	prefix := "ratelimit:0b5c7a2e-41d2-4c55-9a5e-8e9f0a1b2c3d:00000000-0000-0000-0000-000000000000:127.0.0.1:"
	if len(keys) != 1 || !strings.HasPrefix(keys[0], prefix) || !strings.HasSuffix(keys[0], ":day") {
		t.Fatalf("Redis holds %v, want one counter %s<day start>:day", keys, prefix)
	}
	if v := rdb.Get(context.Background(), keys[0]).Val(); v != "5" {
		t.Fatalf("the shared counter is %s, want 5 (blocked requests are not counted)", v)
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
		sameConfig(t, endpointsOf(emu), up.URL, fmt.Sprintf(`{"name":"rate-limiting","config":{"minute":5,"policy":"redis","fault_tolerant":%t,"redis":{"host":"127.0.0.1","port":%d,"timeout":200}}}`, tc.tolerant, port))
		resp, body := send(t, emu.ProxyURL, "GET", "/shared", nil)
		if resp.StatusCode != tc.status || (tc.tolerant && resp.Header.Get("X-RateLimit-Limit-Minute") != "") {
			t.Fatalf("fault_tolerant=%v: %d %v %s", tc.tolerant, resp.StatusCode, resp.Header, body)
		}
	}
}
