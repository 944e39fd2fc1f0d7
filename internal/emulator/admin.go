package emulator

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/adminapi"
)

// adminListener serves the Kong Admin API of the default control plane on its own address.
type adminListener struct {
	url    string
	server *adminapi.Server
	srv    *http.Server
}

// startAdmin builds the Admin API over the Konnect API's store and domain rules (with the
// spec's defaults and shorthands), so that what either API writes the other shows.
func startAdmin(e *Emulator, opts Options, timeouts APITimeouts) (*adminListener, error) {
	spec, err := client.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("loading the API spec: %w", err)
	}
	hostname, _ := os.Hostname()
	config := opts.AdminConfig
	if config == nil {
		// Kong's DB-less POST /config, loading a declarative file into the default control plane.
		config = e.DeclarativeConfigHandler(DefaultControlPlaneName)
	}
	admin, err := adminapi.New(adminapi.Options{
		Store:        e.api.store,
		Entities:     e.api.entities,
		ControlPlane: e.DefaultControlPlaneID,
		Spec:         spec,
		Shorthands:   shorthands,
		RBAC:         opts.AdminRBAC,
		Config:       config,
		Logger:       opts.Logger,
		NodeID:       uuid.NewString(),
		Hostname:     hostname,
	})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", opts.AdminAddr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", opts.AdminAddr, err)
	}
	a := &adminListener{url: "http://" + ln.Addr().String(), server: admin, srv: &http.Server{
		Handler:           admin,
		ReadHeaderTimeout: timeouts.ReadHeader,
		ReadTimeout:       timeouts.Read,
		WriteTimeout:      timeouts.Write,
		IdleTimeout:       timeouts.Idle,
		ErrorLog:          slog.NewLogLogger(opts.Logger.Handler(), slog.LevelDebug),
	}}
	go func() { _ = a.srv.Serve(ln) }()
	return a, nil
}

func (a *adminListener) close(ctx context.Context) {
	if a != nil {
		_ = a.srv.Shutdown(ctx)
	}
}
