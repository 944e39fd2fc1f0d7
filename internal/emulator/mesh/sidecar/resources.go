package sidecar

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
)

// Resources is everything of one mesh the sidecars act on, each item as the Kuma API returns it.
type Resources struct {
	Dataplanes         []json.RawMessage
	MeshOPAs           []json.RawMessage
	TrafficPermissions []json.RawMessage
	Secrets            []json.RawMessage
}

type dataplane struct {
	Name       string            `json:"name"`
	Labels     map[string]string `json:"labels"`
	Networking struct {
		Address string        `json:"address"`
		Inbound []inboundSpec `json:"inbound"`
	} `json:"networking"`
}

type inboundSpec struct {
	Name           string            `json:"name"`
	Address        string            `json:"address"`
	Port           int               `json:"port"`
	ServiceAddress string            `json:"serviceAddress"`
	ServicePort    int               `json:"servicePort"`
	Protocol       string            `json:"protocol"`
	Tags           map[string]string `json:"tags"`
}

func (in *inboundSpec) service() string { return in.Tags["kuma.io/service"] }

// protocol is the inbound's kuma.io/protocol tag (tcp when absent, as in Kuma).
func (in *inboundSpec) protocol() string {
	if p := in.Tags["kuma.io/protocol"]; p != "" {
		return p
	}
	if in.Protocol != "" {
		return in.Protocol
	}
	return "tcp"
}

// listenAddress is where the sidecar binds: the inbound's address, else the dataplane's.
func (in *inboundSpec) listenAddress(dp *dataplane) string {
	host := in.Address
	if host == "" {
		host = dp.Networking.Address
	}
	return net.JoinHostPort(host, strconv.Itoa(in.Port))
}

// serviceAddress is where the sidecar forwards: serviceAddress:servicePort, defaulting to the
// inbound's address and port.
func (in *inboundSpec) serviceAddress(dp *dataplane) string {
	host := in.ServiceAddress
	if host == "" {
		host = in.Address
	}
	if host == "" {
		host = dp.Networking.Address
	}
	port := in.ServicePort
	if port == 0 {
		port = in.Port
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// isLoopback says whether the emulator can run this dataplane's sidecar on this machine.
func (dp *dataplane) isLoopback() bool {
	if dp.Networking.Address == "localhost" {
		return true
	}
	ip := net.ParseIP(dp.Networking.Address)
	return ip != nil && ip.IsLoopback()
}

type meshOPA struct {
	Name string `json:"name"`
	Spec struct {
		TargetRef *TargetRef      `json:"targetRef"`
		Default   json.RawMessage `json:"default"`
	} `json:"spec"`
}

type trafficPermission struct {
	Name string `json:"name"`
	Spec struct {
		TargetRef *TargetRef `json:"targetRef"`
		From      []struct {
			TargetRef TargetRef `json:"targetRef"`
			Default   struct {
				Action string `json:"action"`
			} `json:"default"`
		} `json:"from"`
		Rules []struct {
			Default struct {
				Allow               []spiffeMatch `json:"allow"`
				Deny                []spiffeMatch `json:"deny"`
				AllowWithShadowDeny []spiffeMatch `json:"allowWithShadowDeny"`
			} `json:"default"`
		} `json:"rules"`
	} `json:"spec"`
}

type spiffeMatch struct {
	SpiffeID *struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"spiffeID"`
	SNI *struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"sni"`
}

type secret struct {
	Name string `json:"name"`
	Data string `json:"data"`
}

// decoded is a mesh's resources read from JSON. Items that cannot be read are left out and
// reported in errs.
type decoded struct {
	dataplanes  []*dataplane
	opas        []*meshOPA
	permissions []*trafficPermission
	secrets     map[string][]byte
	errs        []error
}

func decode(r Resources) decoded {
	d := decoded{secrets: map[string][]byte{}}
	d.dataplanes = decodeAll[dataplane](r.Dataplanes, "Dataplane", &d.errs)
	d.opas = decodeAll[meshOPA](r.MeshOPAs, "MeshOPA", &d.errs)
	d.permissions = decodeAll[trafficPermission](r.TrafficPermissions, "MeshTrafficPermission", &d.errs)
	for _, s := range decodeAll[secret](r.Secrets, "Secret", &d.errs) {
		b, err := base64.StdEncoding.DecodeString(s.Data)
		if err != nil {
			d.errs = append(d.errs, fmt.Errorf("secret %s: data is not base64: %w", s.Name, err))
			continue
		}
		d.secrets[s.Name] = b
	}
	return d
}

func decodeAll[T any](items []json.RawMessage, kind string, errs *[]error) []*T {
	out := make([]*T, 0, len(items))
	for i, raw := range items {
		v := new(T)
		if err := json.Unmarshal(raw, v); err != nil {
			*errs = append(*errs, fmt.Errorf("%s #%d: %w", kind, i, err))
			continue
		}
		out = append(out, v)
	}
	return out
}
