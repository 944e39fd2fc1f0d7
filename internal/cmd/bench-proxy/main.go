// Command bench-proxy is `make bench-proxy`: it measures the emulator's proxy against nginx on
// this machine, in one run, with wrk, and prints requests per second, p99 latency and ratios.
//
//	(a) nginx proxy_pass to the upstream       (the baseline)
//	(b) the emulator's proxy, no plugins
//	(c) the emulator's proxy with key-auth and rate-limiting (local, never reached)
//
// The upstream is an nginx of its own answering a small 200, the same process for all three
// cases, so that every proxy under test hands each request to another process. wrk, nginx
// and the emulator share the machine, so the figures are for comparing, not absolute: the
// cases run in interleaved rounds and each figure is the median of its rounds.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
)

func main() {
	duration := flag.Duration("duration", 5*time.Second, "how long wrk runs for each case in each round")
	rounds := flag.Int("rounds", 3, "rounds of the three cases, interleaved")
	connections := flag.Int("connections", 50, "wrk connections")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run here")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	if err := run(*duration, *rounds, *connections); err != nil {
		fmt.Fprintln(os.Stderr, "bench-proxy:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

type result struct {
	name string
	rps  float64
	p99  time.Duration
}

func run(duration time.Duration, rounds, connections int) error {
	for _, tool := range []string{"wrk", "nginx"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is not installed (apt-get install wrk nginx-light)", tool)
		}
	}
	dir, err := os.MkdirTemp("", "bench-proxy-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	upstreamPort, nginxProxyPort := freePort(), freePort()
	stopUpstream, err := startNginx(filepath.Join(dir, "upstream"), upstreamPort,
		fmt.Sprintf(`server { listen 127.0.0.1:%d; location / { return 200 'ok'; } }`, upstreamPort))
	if err != nil {
		return err
	}
	defer stopUpstream()
	stopProxy, err := startNginx(filepath.Join(dir, "proxy"), nginxProxyPort, fmt.Sprintf(`upstream backend { server 127.0.0.1:%d; keepalive 64; }
  server {
    listen 127.0.0.1:%d;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }`, upstreamPort, nginxProxyPort))
	if err != nil {
		return err
	}
	defer stopProxy()

	ctx := context.Background()
	emu, err := emulator.Start(ctx, emulator.Options{})
	if err != nil {
		return err
	}
	defer func() { _ = emu.Close() }()
	plainProxy, pluginProxy, err := configure(ctx, emu, upstreamPort)
	if err != nil {
		return err
	}

	cases := []struct {
		name, url string
		headers   []string
	}{
		{"(a) nginx proxy_pass", fmt.Sprintf("http://127.0.0.1:%d/", nginxProxyPort), nil},
		{"(b) emulator proxy, no plugins", plainProxy + "/", nil},
		{"(c) emulator proxy, key-auth + rate-limiting", pluginProxy + "/", []string{"apikey: bench-key"}},
	}
	for _, c := range cases {
		if err := check(c.url, c.headers); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
	}
	runs := make([][]result, len(cases))
	for round := 0; round < rounds; round++ {
		for i, c := range cases {
			r, err := wrk(c.url, c.headers, duration, connections)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			runs[i] = append(runs[i], r)
		}
	}
	fmt.Printf("\nproxy benchmark: wrk, %d connections, 2 threads, one small 200 from an nginx upstream; median of %d interleaved rounds of %s\n",
		connections, rounds, duration)
	results := make([]result, len(cases))
	for i, c := range cases {
		results[i] = median(runs[i])
		results[i].name = c.name
		fmt.Printf("  %-46s %10.0f req/s   p99 %8.2f ms\n", c.name, results[i].rps, float64(results[i].p99.Microseconds())/1000)
	}
	a, b, c := results[0], results[1], results[2]
	fmt.Printf("  ratio b/a %.2f (target at least 0.8)   ratio c/b %.2f (target at least 0.9)   p99 c-a %.2f ms (target under 2 ms)\n",
		b.rps/a.rps, c.rps/b.rps, float64((c.p99-a.p99).Microseconds())/1000)
	return nil
}

// median takes requests/s and p99 each at its own median over the rounds.
func median(runs []result) result {
	rps := make([]float64, len(runs))
	p99 := make([]time.Duration, len(runs))
	for i, r := range runs {
		rps[i], p99[i] = r.rps, r.p99
	}
	slices.Sort(rps)
	slices.Sort(p99)
	return result{rps: rps[len(rps)/2], p99: p99[len(p99)/2]}
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}

// startNginx runs an nginx of one worker serving servers (the http block's content) in dir,
// and waits until port answers.
func startNginx(dir string, port int, servers string) (func(), error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	conf := fmt.Sprintf(`worker_processes 1;
daemon off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  %[2]s
}
`, dir, servers)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command("nginx", "-c", path, "-p", dir)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting nginx: %w", err)
	}
	// SIGTERM, not SIGKILL: nginx's master then stops its worker, which would otherwise
	// outlive it holding the port.
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := check(fmt.Sprintf("http://127.0.0.1:%d/", port), nil); err == nil {
			return stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			return nil, errors.New("nginx did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// configure makes (b) in the default control plane and (c) in another one, through the API.
func configure(ctx context.Context, emu *emulator.Emulator, upstreamPort int) (string, string, error) {
	c, err := client.New(emu.URL, client.WithPersonalAccessToken(emu.Token))
	if err != nil {
		return "", "", err
	}
	setup := func(cp client.ControlPlaneId, plugins bool) error {
		name := "upstream"
		port := upstreamPort
		svcID, _, err := client.Create(ctx, c.UpsertServiceWithResponse, cp, client.Service{Name: &name, Host: "127.0.0.1", Port: &port})
		if err != nil {
			return err
		}
		paths := []string{"/"}
		if _, _, err := client.Create(ctx, c.UpsertRouteWithResponse, cp, client.Route{Paths: &paths, Service: &struct {
			Id *string `json:"id,omitempty"`
		}{Id: &svcID}}); err != nil {
			return err
		}
		if !plugins {
			return nil
		}
		user := "bench"
		consumerID, _, err := client.Create(ctx, c.UpsertConsumerWithResponse, cp, client.Consumer{Username: &user})
		if err != nil {
			return err
		}
		key := "bench-key"
		if _, _, err := client.CreateUnder(ctx, c.UpsertKeyAuthWithConsumerWithResponse, cp, consumerID, client.KeyAuthWithoutParents{Key: &key}); err != nil {
			return err
		}
		for _, p := range []client.Plugin{{Name: "key-auth"}, {Name: "rate-limiting", Config: &map[string]any{"second": 1e9}}} {
			if _, _, err := client.Create(ctx, c.UpsertPluginWithResponse, cp, p); err != nil {
				return err
			}
		}
		return nil
	}
	def := uuid.MustParse(emu.DefaultControlPlaneID())
	if err := setup(def, false); err != nil {
		return "", "", err
	}
	cp, err := c.CreateControlPlaneWithResponse(ctx, client.CreateControlPlaneRequest{Name: "bench-plugins"})
	if err != nil {
		return "", "", err
	}
	if err := setup(cp.JSON201.Id, true); err != nil {
		return "", "", err
	}
	pluginProxy, err := emu.ControlPlaneProxyURL(cp.JSON201.Id.String())
	return emu.ProxyURL, pluginProxy, err
}

func check(url string, headers []string) error {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	return nil
}

var (
	reRPS = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	reP99 = regexp.MustCompile(`\s99%\s+([0-9.]+)(us|ms|s)`)
)

func wrk(url string, headers []string, d time.Duration, connections int) (result, error) {
	args := []string{"-t2", "-c" + strconv.Itoa(connections), "-d" + strconv.Itoa(int(d.Seconds())) + "s", "--latency"}
	for _, h := range headers {
		args = append(args, "-H", h)
	}
	out, err := exec.Command("wrk", append(args, url)...).CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %w: %s", err, out)
	}
	var r result
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		line := sc.Text()
		if m := reRPS.FindStringSubmatch(line); m != nil {
			r.rps, _ = strconv.ParseFloat(m[1], 64)
		}
		if m := reP99.FindStringSubmatch(line); m != nil {
			v, _ := strconv.ParseFloat(m[1], 64)
			unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[m[2]]
			r.p99 = time.Duration(v * float64(unit))
		}
	}
	if strings.Contains(string(out), "Non-2xx") {
		return r, fmt.Errorf("wrk saw non-2xx answers: %s", out)
	}
	if r.rps == 0 {
		return r, fmt.Errorf("could not read wrk's output: %s", out)
	}
	return r, nil
}
