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

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run(args []string) error {
	fs := flag.NewFlagSet("konnect-emulator", flag.ContinueOnError)
	apiAddr := fs.String("api-addr", env("KONNECT_EMULATOR_API_ADDR", "127.0.0.1:8080"), "listen address of the Konnect API (KONNECT_EMULATOR_API_ADDR)")
	proxyAddr := fs.String("proxy-addr", env("KONNECT_EMULATOR_PROXY_ADDR", "127.0.0.1:8000"), "listen address of the default control plane's proxy (KONNECT_EMULATOR_PROXY_ADDR)")
	adminAddr := fs.String("admin-addr", env("KONNECT_EMULATOR_ADMIN_ADDR", "127.0.0.1:8001"), "listen address of the default control plane's Kong Admin API (KONNECT_EMULATOR_ADMIN_ADDR)")
	enforceRBAC := fs.String("enforce-rbac", env("KONNECT_EMULATOR_ENFORCE_RBAC", "off"), "Admin API RBAC as Kong's enforce_rbac: on, entity, both or off (KONNECT_EMULATOR_ENFORCE_RBAC)")
	adminToken := fs.String("admin-token", env("KONNECT_EMULATOR_ADMIN_TOKEN", ""), "user_token of the super-admin RBAC user kong_admin, created at start (KONNECT_EMULATOR_ADMIN_TOKEN)")
	rbacHeader := fs.String("rbac-auth-header", env("KONNECT_EMULATOR_RBAC_AUTH_HEADER", adminapi.DefaultRBACHeader), "header carrying an RBAC user token, as Kong's rbac_auth_header (KONNECT_EMULATOR_RBAC_AUTH_HEADER)")
	logLevel := fs.String("log-level", env("KONNECT_EMULATOR_LOG_LEVEL", "info"), "debug, info, warn or error; debug logs every request (KONNECT_EMULATOR_LOG_LEVEL)")
	faults := fs.String("faults", env("KONNECT_EMULATOR_FAULTS", ""), `fail a share of API requests, as JSON: {"rate":0.2,"status":503,"retry_after":1} (KONNECT_EMULATOR_FAULTS)`)
	config := fs.String("config", env("KONNECT_EMULATOR_CONFIG", ""), "a declarative configuration file (Kong's kong.yml or a decK file, YAML or JSON) loaded into the default control plane at start (KONNECT_EMULATOR_CONFIG)")
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
	opts := emulator.Options{APIAddr: *apiAddr, ProxyAddr: *proxyAddr, Tokens: tokens, Logger: logger,
		AdminAddr: *adminAddr, AdminRBAC: adminapi.RBACOptions{Enforce: *enforceRBAC, Header: *rbacHeader, AdminToken: *adminToken}}
	if *enforceRBAC != adminapi.RBACOff && *adminToken == "" {
		logger.Warn("--enforce-rbac without --admin-token: no RBAC user can use the Admin API")
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
	logger.Info("konnect emulator ready", "api", emu.URL, "proxy", emu.ProxyURL, "admin", emu.AdminURL, "enforce_rbac", *enforceRBAC, "default_control_plane", emu.DefaultControlPlaneID())
	// The emulator keeps configured tokens hashed and hands back only the development token.
	if emu.Token != "" {
		logger.Info("no --token given: accepting the development token", "token", emu.Token)
	}
	<-ctx.Done()
	logger.Info("shutting down")
	return emu.Close()
}
