package main

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the command: with KONNECT_EMULATOR_RUN_MAIN set it runs main.
func TestMain(m *testing.M) {
	if os.Getenv("KONNECT_EMULATOR_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String()
}

func TestCommandServesAndStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	cmd := exec.Command(os.Args[0], "--api-addr", addr, "--proxy-addr", freeAddr(t), "--proxy-tls-addr", freeAddr(t), "--admin-addr", freeAddr(t), "--token", "kpat_cmd_test_token")
	cmd.Env = append(os.Environ(), "KONNECT_EMULATOR_RUN_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	go func() {
		s := bufio.NewScanner(stderr)
		for s.Scan() {
			lines <- s.Text()
		}
		close(lines)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/_emulator/health")
		if err == nil {
			_ = resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("not serving on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/v2/control-planes", nil)
	req.Header.Set("Authorization", "Bearer kpat_cmd_test_token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the --token is not accepted: %v %v", err, resp)
	}
	_ = resp.Body.Close()

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Read stderr to its end before Wait: Wait closes the pipe, and lines not yet read would
	// be lost (the log then looked empty about one run in four).
	var out []string
	timeout := time.After(30 * time.Second)
	for reading := true; reading; {
		select {
		case l, ok := <-lines:
			if !ok {
				reading = false
				break
			}
			out = append(out, l)
		case <-timeout:
			_ = cmd.Process.Kill()
			t.Fatal("still running 30s after SIGTERM")
		}
	}
	var exit *exec.ExitError
	if err := cmd.Wait(); errors.As(err, &exit) {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	log := strings.Join(out, "\n")
	if !strings.Contains(log, "konnect emulator ready") || !strings.Contains(log, "shutting down") || strings.Contains(log, "kpat_cmd_test_token") {
		t.Fatalf("log:\n%s", log)
	}
}

func TestBadFlagsAreRefused(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--log-level", "loud"}, {"--faults", "{"}, {"--faults", `{"rate":3,"status":429}`}, {"--token", " "}} {
		if err := run(args); err == nil {
			t.Errorf("%v: want an error", args)
		}
	}
}

// An invalid --config file stops the start with Kong's reasons, naming entity and field.
func TestInvalidConfigFileFailsTheStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := dir + "/kong.yml"
	if err := os.WriteFile(bad, []byte("_format_version: \"3.0\"\nroutes:\n- name: r\n  paths: [/r]\n  service: nowhere\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{
		bad:                  "route 'r' (routes[0]): service: invalid reference 'service: nowhere' (no such entry in 'services')",
		dir + "/missing.yml": "--config: open",
	} {
		err := run([]string{"--api-addr", freeAddr(t), "--proxy-addr", freeAddr(t), "--proxy-tls-addr", freeAddr(t), "--admin-addr", freeAddr(t), "--config", file})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), file) {
			t.Errorf("--config %s: %v, want an error with %q", file, err, want)
		}
	}
}
