package emulator_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
	"github.com/openkonnect/terraform-provider-konnect/internal/redistest"
)

// lifecycleClient talks to one emulator over connections of its own, so that the test can
// close them and count only what the emulator keeps running.
type lifecycleClient struct {
	t   *testing.T
	emu *emulator.Emulator
	tr  *http.Transport
}

func (c *lifecycleClient) do(method, url, body string) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if strings.HasPrefix(url, c.emu.URL) {
		req.Header.Set("Authorization", "Bearer "+c.emu.Token)
	}
	resp, err := (&http.Client{Transport: c.tr}).Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// configure creates a control plane with a service, a route and a rate-limiting plugin
// counting in Redis, sends traffic through its proxy (plain and TLS) and returns the control
// plane's id and the proxy's addresses.
func (c *lifecycleClient) configure(upstream, redisHost string, redisPort int) (id, proxyAddr, tlsAddr string) {
	c.t.Helper()
	status, body := c.do(http.MethodPost, c.emu.URL+"/v2/control-planes", `{"name":"lifecycle-`+fmt.Sprint(time.Now().UnixNano())+`"}`)
	if status != http.StatusCreated {
		c.t.Fatalf("creating a control plane: %d %s", status, body)
	}
	id = strings.SplitN(strings.SplitN(body, `"id":"`, 2)[1], `"`, 2)[0]
	core := c.emu.URL + "/v2/control-planes/" + id + "/core-entities"
	host, port := hostPort(c.t, upstream)
	for _, step := range []struct{ path, body string }{
		{"/services/6a1d8e4e-9c39-4f3e-8d7a-1f2b3c4d5e6f", fmt.Sprintf(`{"name":"s","host":%q,"port":%d}`, host, port)},
		{"/routes/0b5c7a2e-41d2-4c55-9a5e-8e9f0a1b2c3d", `{"paths":["/r"],"service":{"id":"6a1d8e4e-9c39-4f3e-8d7a-1f2b3c4d5e6f"}}`},
		{"/plugins/3f2e1d0c-5b6a-4978-8695-a4b3c2d1e0f9", fmt.Sprintf(`{"name":"rate-limiting","config":{"minute":1000,"policy":"redis","redis":{"host":%q,"port":%d}}}`, redisHost, redisPort)},
	} {
		if status, out := c.do(http.MethodPut, core+step.path, step.body); status != http.StatusOK {
			c.t.Fatalf("PUT %s: %d %s", step.path, status, out)
		}
	}
	status, body = c.do(http.MethodGet, c.emu.URL+"/_emulator/control-planes/"+id, "")
	if status != http.StatusOK {
		c.t.Fatalf("control plane info: %d %s", status, body)
	}
	proxy := strings.SplitN(strings.SplitN(body, `"proxy_url":"`, 2)[1], `"`, 2)[0]
	proxyTLS := strings.SplitN(strings.SplitN(body, `"proxy_tls_url":"`, 2)[1], `"`, 2)[0]
	for range 5 {
		for _, url := range []string{proxy, proxyTLS} {
			if status, out := c.do(http.MethodGet, url+"/r", ""); status != http.StatusOK || !strings.Contains(out, "echo") {
				c.t.Fatalf("through the proxy %s: %d %s", url, status, out)
			}
		}
	}
	return id, strings.TrimPrefix(proxy, "http://"), strings.TrimPrefix(proxyTLS, "https://")
}

// settle waits (boundedly) until the process runs no more goroutines than baseline.
func settle(t *testing.T, baseline int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second) // generous: a loaded machine ends goroutines slowly
	for runtime.NumGoroutine() > baseline {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, baseline %d:\n%s", runtime.NumGoroutine(), baseline, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func closed(t *testing.T, addr string) {
	t.Helper()
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		_ = conn.Close()
		t.Fatalf("the proxy still listens on %s", addr)
	}
}

// TestDeletedControlPlaneStopsItsProxy is not parallel: it counts the process's goroutines.
func TestDeletedControlPlaneStopsItsProxy(t *testing.T) {
	redisHost, redisPort := redistest.Start(t)
	up := echoServer(t, "echo")
	emu, err := emulator.Start(context.Background(), emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = emu.Close() }()
	c := &lifecycleClient{t: t, emu: emu, tr: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	defer c.tr.CloseIdleConnections()

	// fasthttp keeps one goroutine per process that updates its Date header, started by the
	// first request served: it is part of the baseline.
	if status, _ := c.do(http.MethodGet, emu.ProxyURL+"/", ""); status != http.StatusNotFound {
		t.Fatalf("default proxy: %d", status)
	}
	for _, how := range []string{"delete", "reset"} {
		t.Run(how, func(t *testing.T) {
			c.t = t
			c.tr.CloseIdleConnections()
			baseline := runtime.NumGoroutine()
			id, proxy, proxyTLS := c.configure(up.URL, redisHost, redisPort)
			if how == "delete" {
				if status, body := c.do(http.MethodDelete, emu.URL+"/v2/control-planes/"+id, ""); status != http.StatusNoContent {
					t.Fatalf("delete: %d %s", status, body)
				}
			} else if status, body := c.do(http.MethodPost, emu.URL+"/_emulator/reset", ""); status != http.StatusNoContent {
				t.Fatalf("reset: %d %s", status, body)
			}
			closed(t, proxy)
			closed(t, proxyTLS)
			c.tr.CloseIdleConnections()
			settle(t, baseline)
		})
	}
}

// TestDeletedDefaultControlPlane: the default listener is the emulator's configured address,
// so it stays up when its control plane is deleted (answering that no route matches) and
// serves the new default control plane after a reset.
func TestDeletedDefaultControlPlane(t *testing.T) {
	t.Parallel()
	emu, err := emulator.Start(context.Background(), emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = emu.Close() }()
	c := &lifecycleClient{t: t, emu: emu, tr: &http.Transport{}}
	defer c.tr.CloseIdleConnections()
	up := echoServer(t, "echo")
	host, port := hostPort(t, up.URL)
	core := emu.URL + "/v2/control-planes/" + emu.DefaultControlPlaneID() + "/core-entities"
	const svc = "6a1d8e4e-9c39-4f3e-8d7a-1f2b3c4d5e6f"
	if status, body := c.do(http.MethodPut, core+"/services/"+svc, fmt.Sprintf(`{"name":"s","host":%q,"port":%d}`, host, port)); status != http.StatusOK {
		t.Fatalf("service: %d %s", status, body)
	}
	if status, body := c.do(http.MethodPost, core+"/routes", `{"paths":["/d"],"service":{"id":"`+svc+`"}}`); status != http.StatusCreated {
		t.Fatalf("route: %d %s", status, body)
	}
	if status, body := c.do(http.MethodGet, emu.ProxyURL+"/d", ""); status != http.StatusOK {
		t.Fatalf("before: %d %s", status, body)
	}
	if status, body := c.do(http.MethodDelete, emu.URL+"/v2/control-planes/"+emu.DefaultControlPlaneID(), ""); status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", status, body)
	}
	if status, body := c.do(http.MethodGet, emu.ProxyURL+"/d", ""); status != http.StatusNotFound || !strings.Contains(body, "no Route matched") {
		t.Fatalf("after delete: %d %s", status, body)
	}
	if status, body := c.do(http.MethodPost, emu.URL+"/_emulator/reset", ""); status != http.StatusNoContent {
		t.Fatalf("reset: %d %s", status, body)
	}
	core = emu.URL + "/v2/control-planes/" + emu.DefaultControlPlaneID() + "/core-entities"
	if status, body := c.do(http.MethodPost, core+"/routes", `{"paths":["/e"]}`); status != http.StatusCreated {
		t.Fatalf("route after reset: %d %s", status, body)
	}
	// A route without a service: Kong's 503 shows the new default control plane is served.
	if status, body := c.do(http.MethodGet, emu.ProxyURL+"/e", ""); status != http.StatusServiceUnavailable {
		t.Fatalf("after reset: %d %s", status, body)
	}
}
