package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/textproto"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/dataplane"
)

// nodeSettings turns the options into the data plane's kong.conf settings, shared by every
// control plane's proxy.
func (o Options) nodeSettings() (dataplane.Settings, error) {
	trusted, err := dataplane.ParseTrustedIPs(o.TrustedIPs)
	if err != nil {
		return dataplane.Settings{}, err
	}
	s := dataplane.Settings{TrustedIPs: trusted, RealIPHeader: "X-Real-IP", RealIPRecursive: o.RealIPRecursive,
		AllowDebugHeader: o.AllowDebugHeader, RequestDebug: !o.DisableRequestDebug, RequestDebugToken: o.RequestDebugToken}
	if o.RealIPHeader != "" {
		switch o.RealIPHeader {
		case "proxy_protocol":
			return s, fmt.Errorf("real_ip_header proxy_protocol: the emulator's proxy does not take the PROXY protocol")
		default:
			s.RealIPHeader = textproto.CanonicalMIMEHeaderKey(o.RealIPHeader)
		}
	}
	if s.RequestDebug && s.RequestDebugToken == "" {
		var raw [16]byte
		_, _ = rand.Read(raw[:])
		s.RequestDebugToken = hex.EncodeToString(raw[:])
	}
	size := o.TraceBuffer
	if size == 0 {
		size = DefaultTraceBuffer
	}
	s.Traces = dataplane.NewTraceLog(size)
	return s, nil
}
