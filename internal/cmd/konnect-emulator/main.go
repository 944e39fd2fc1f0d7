// Command konnect-emulator runs a local Konnect: the Konnect API on --api-addr, in memory.
//
// Every flag can also be set through the environment variable named in its help.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/adminapi"
)

// tokenList is a repeatable --token flag.
type tokenList []string

func (t *tokenList) String() string { return fmt.Sprint(len(*t)) + " token(s)" }
func (t *tokenList) Set(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("empty token")
	}
	*t = append(*t, v)
	return nil
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "konnect-emulator:", err)
		os.Exit(1)
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run(args []string) error {
	if len(args) > 0 && args[0] == "requests" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return runRequests(ctx, args[1:], os.Stdout)
	}
	fs := flag.NewFlagSet("konnect-emulator", flag.ContinueOnError)
	apiAddr := fs.String("api-addr", env("KONNECT_EMULATOR_API_ADDR", "127.0.0.1:8080"), "listen address of the Konnect API (KONNECT_EMULATOR_API_ADDR)")
	proxyAddr := fs.String("proxy-addr", env("KONNECT_EMULATOR_PROXY_ADDR", "127.0.0.1:8000"), "listen address of the default control plane's proxy (KONNECT_EMULATOR_PROXY_ADDR)")
	proxyTLSAddr := fs.String("proxy-tls-addr", env("KONNECT_EMULATOR_PROXY_TLS_ADDR", "127.0.0.1:8443"), "listen address of the default control plane's HTTPS proxy, serving its certificates by SNI (KONNECT_EMULATOR_PROXY_TLS_ADDR)")
	adminAddr := fs.String("admin-addr", env("KONNECT_EMULATOR_ADMIN_ADDR", "127.0.0.1:8001"), "listen address of the default control plane's Kong Admin API (KONNECT_EMULATOR_ADMIN_ADDR)")
	enforceRBAC := fs.String("enforce-rbac", env("KONNECT_EMULATOR_ENFORCE_RBAC", "off"), "Admin API RBAC as Kong's enforce_rbac: on, entity, both or off (KONNECT_EMULATOR_ENFORCE_RBAC)")
	adminToken := fs.String("admin-token", env("KONNECT_EMULATOR_ADMIN_TOKEN", ""), "user_token of the super-admin RBAC user kong_admin, created at start (KONNECT_EMULATOR_ADMIN_TOKEN)")
	rbacHeader := fs.String("rbac-auth-header", env("KONNECT_EMULATOR_RBAC_AUTH_HEADER", adminapi.DefaultRBACHeader), "header carrying an RBAC user token, as Kong's rbac_auth_header (KONNECT_EMULATOR_RBAC_AUTH_HEADER)")
	logLevel := fs.String("log-level", env("KONNECT_EMULATOR_LOG_LEVEL", "info"), "debug, info, warn or error; debug logs every request (KONNECT_EMULATOR_LOG_LEVEL)")
	faults := fs.String("faults", env("KONNECT_EMULATOR_FAULTS", ""), `fail a share of API requests, as JSON: {"rate":0.2,"status":503,"retry_after":1} (KONNECT_EMULATOR_FAULTS)`)
	config := fs.String("config", env("KONNECT_EMULATOR_CONFIG", ""), "a declarative configuration file (Kong's kong.yml or a decK file, YAML or JSON) loaded into the default control plane at start (KONNECT_EMULATOR_CONFIG)")
	trustedIPs := fs.String("trusted-ips", env("KONNECT_EMULATOR_TRUSTED_IPS", ""), "addresses and CIDR ranges whose X-Forwarded-* and real-IP header are believed, comma-separated, as kong.conf trusted_ips (KONNECT_EMULATOR_TRUSTED_IPS)")
	realIPHeader := fs.String("real-ip-header", env("KONNECT_EMULATOR_REAL_IP_HEADER", "X-Real-IP"), "header a trusted peer gives the client's address in, as kong.conf real_ip_header (KONNECT_EMULATOR_REAL_IP_HEADER)")
	realIPRecursive := fs.Bool("real-ip-recursive", env("KONNECT_EMULATOR_REAL_IP_RECURSIVE", "") == "on" || env("KONNECT_EMULATOR_REAL_IP_RECURSIVE", "") == "true", "skip trusted addresses from the right of the real-IP header, as kong.conf real_ip_recursive (KONNECT_EMULATOR_REAL_IP_RECURSIVE)")
	allowDebugHeader := fs.Bool("allow-debug-header", env("KONNECT_EMULATOR_ALLOW_DEBUG_HEADER", "") == "on" || env("KONNECT_EMULATOR_ALLOW_DEBUG_HEADER", "") == "true", "answer Kong-Debug requests with Kong-Route-Id, -Name, Kong-Service-Id, -Name, as kong.conf allow_debug_header (KONNECT_EMULATOR_ALLOW_DEBUG_HEADER)")
	requestDebug := fs.Bool("request-debug", env("KONNECT_EMULATOR_REQUEST_DEBUG", "on") != "off", "X-Kong-Request-Debug, as kong.conf request_debug (KONNECT_EMULATOR_REQUEST_DEBUG)")
	requestDebugToken := fs.String("request-debug-token", env("KONNECT_EMULATOR_REQUEST_DEBUG_TOKEN", ""), "the X-Kong-Request-Debug-Token clients off loopback must send; default: made at start and logged (KONNECT_EMULATOR_REQUEST_DEBUG_TOKEN)")
	traceBuffer := fs.Int("trace-buffer", envInt("KONNECT_EMULATOR_TRACE_BUFFER", emulator.DefaultTraceBuffer), "how many request traces GET /_emulator/requests keeps; 0 keeps none (KONNECT_EMULATOR_TRACE_BUFFER)")
	var tokens tokenList
	fs.Var(&tokens, "token", "an accepted access token; repeatable (KONNECT_EMULATOR_TOKENS, comma-separated); default: the development token")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(tokens) == 0 {
		for _, t := range strings.Split(os.Getenv("KONNECT_EMULATOR_TOKENS"), ",") {
			if t = strings.TrimSpace(t); t != "" {
				tokens = append(tokens, t)
			}
		}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	opts := emulator.Options{APIAddr: *apiAddr, ProxyAddr: *proxyAddr, ProxyTLSAddr: *proxyTLSAddr, Tokens: tokens, Logger: logger,
		AdminAddr: *adminAddr, AdminRBAC: adminapi.RBACOptions{Enforce: *enforceRBAC, Header: *rbacHeader, AdminToken: *adminToken},
		RealIPHeader: *realIPHeader, RealIPRecursive: *realIPRecursive, AllowDebugHeader: *allowDebugHeader,
		DisableRequestDebug: !*requestDebug, RequestDebugToken: *requestDebugToken, TraceBuffer: *traceBuffer}
	if *enforceRBAC != adminapi.RBACOff && *adminToken == "" {
		logger.Warn("--enforce-rbac without --admin-token: no RBAC user can use the Admin API")
	}
	if *trustedIPs != "" {
		opts.TrustedIPs = []string{*trustedIPs}
	}
	if *traceBuffer == 0 {
		opts.TraceBuffer = -1
	}
	if *faults != "" {
		var f emulator.Faults
		if err := json.Unmarshal([]byte(*faults), &f); err != nil {
			return fmt.Errorf("--faults: %w", err)
		}
		opts.Faults = &f
	}

	if *config != "" {
		data, err := os.ReadFile(*config)
		if err != nil {
			return fmt.Errorf("--config: %w", err)
		}
		opts.DeclarativeConfig, opts.DeclarativeConfigName = data, *config
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	emu, err := emulator.Start(ctx, opts)
	if err != nil {
		return err
	}
	logger.Info("konnect emulator ready", "api", emu.URL, "proxy", emu.ProxyURL, "proxy_tls", emu.ProxyTLSURL, "admin", emu.AdminURL, "enforce_rbac", *enforceRBAC, "default_control_plane", emu.DefaultControlPlaneID())
	if *requestDebug {
		// As Kong logs its request_debug_token at start.
		logger.Info("[request-debug] token for X-Kong-Request-Debug-Token", "token", emu.RequestDebugToken)
	}
	// The emulator keeps configured tokens hashed and hands back only the development token.
	if emu.Token != "" {
		logger.Info("no --token given: accepting the development token", "token", emu.Token)
	}
	<-ctx.Done()
	logger.Info("shutting down")
	return emu.Close()
}
