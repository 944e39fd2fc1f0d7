package sidecar

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/mesh/opa"
)

// Manager runs the sidecars of every mesh it is told about.
type Manager struct {
	logger    *slog.Logger
	transport *http.Transport
	ids       atomic.Uint64

	mu     sync.Mutex
	closed bool
	meshes map[meshKey]map[string][]*inbound // dataplane name -> its inbounds
	// compiled caches policy sets by content (opa.Key), so Apply only compiles what changed.
	compiled map[string]compiledPolicy
}

type meshKey struct{ cp, mesh string }

type compiledPolicy struct {
	policy *opa.Policy
	err    error
}

// Listener is one inbound of a dataplane's sidecar, as the emulator reports it.
type Listener struct {
	// Inbound is the index in networking.inbound; Name its optional name.
	Inbound int    `json:"inbound"`
	Name    string `json:"name,omitempty"`
	Service string `json:"service"`
	// Protocol is kuma.io/protocol; only http inbounds are checked request by request.
	Protocol string `json:"protocol"`
	// Address is where the sidecar listens, ServiceAddress where it forwards.
	Address        string `json:"address"`
	ServiceAddress string `json:"serviceAddress"`
	Listening      bool   `json:"listening"`
	Error          string `json:"error,omitempty"`
	// The policies that select the inbound.
	MeshOPAs               []string `json:"meshOPAs"`
	MeshTrafficPermissions []string `json:"meshTrafficPermissions"`
	// PolicyError says why the MeshOPA policies cannot decide (every request then gets
	// onAgentFailure / statusOnError).
	PolicyError string `json:"policyError,omitempty"`
	// NotEnforced lists the settings that are accepted but have no effect in the emulator.
	NotEnforced []string `json:"notEnforced"`
}

// NewManager returns a Manager that logs to logger (slog.Default() when nil).
func NewManager(logger *slog.Logger) *Manager {
	if logger == nil {
		logger = slog.Default()
	}
	return &Manager{
		logger: logger,
		transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        256,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     90 * time.Second,
		},
		meshes:   map[meshKey]map[string][]*inbound{},
		compiled: map[string]compiledPolicy{},
	}
}

// Apply makes the sidecars of one mesh match its current resources. It is called again on every
// change: listeners whose address and service are unchanged keep running and pick up the new
// policies for their next request; the others are stopped or started. The returned error lists
// what could not be read or bound; everything else is applied.
func (m *Manager) Apply(cpID, mesh string, r Resources) error {
	d := decode(r)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errors.New("mesh sidecar manager is closed")
	}
	key := meshKey{cpID, mesh}
	old := map[string]*inbound{}
	for _, ins := range m.meshes[key] {
		for _, in := range ins {
			old[in.reuseKey()] = in
		}
	}
	next := map[string][]*inbound{}
	var starting []*inbound
	for _, dp := range d.dataplanes {
		if !dp.isLoopback() {
			continue
		}
		for i := range dp.Networking.Inbound {
			spec := &dp.Networking.Inbound[i]
			in := &inbound{
				dataplane: dp.Name, index: i, name: spec.Name, service: spec.service(), protocol: spec.protocol(),
				listen: spec.listenAddress(dp), target: spec.serviceAddress(dp), logger: m.logger, ids: &m.ids,
			}
			if prev, ok := old[in.reuseKey()]; ok && prev.err == nil {
				delete(old, in.reuseKey())
				prev.index, prev.name = in.index, in.name
				in = prev
			} else {
				starting = append(starting, in)
			}
			in.state.Store(m.stateFor(mesh, dp, spec, in.isHTTP(), d))
			next[dp.Name] = append(next[dp.Name], in)
		}
	}
	// Stop before starting, so a port that moves to another inbound is free.
	for _, in := range old {
		in.stop()
	}
	errs := d.errs
	for _, in := range starting {
		if in.listen == in.target {
			in.err = fmt.Errorf("port and servicePort are the same address %s: the sidecar would forward to itself", in.listen)
		} else {
			in.start(m.transport)
		}
		if in.err != nil {
			errs = append(errs, fmt.Errorf("dataplane %s inbound %d: %w", in.dataplane, in.index, in.err))
		}
	}
	if len(next) == 0 {
		delete(m.meshes, key)
	} else {
		m.meshes[key] = next
	}
	m.pruneCompiled()
	return errors.Join(errs...)
}

// reuseKey is what must stay the same for a running listener to be kept.
func (in *inbound) reuseKey() string {
	return in.dataplane + "|" + in.listen + "|" + in.target + "|" + fmt.Sprint(in.isHTTP())
}

// stateFor works out what one inbound enforces.
func (m *Manager) stateFor(mesh string, dp *dataplane, spec *inboundSpec, isHTTP bool, d decoded) *inboundState {
	st := &inboundState{mesh: mesh, meshOPAs: []string{}, mtps: []string{}, notEnforced: []string{}}

	var mtps []*trafficPermission
	for _, p := range d.permissions {
		if targetOrMesh(p.Spec.TargetRef).selects(dp, spec) {
			mtps = append(mtps, p)
			st.notEnforced = append(st.notEnforced, targetOrMesh(p.Spec.TargetRef).notEnforced("MeshTrafficPermission "+p.Name+": targetRef")...)
		}
	}
	if len(mtps) > 0 {
		orderPolicies(mtps, func(p *trafficPermission) *TargetRef { return p.Spec.TargetRef }, func(p *trafficPermission) string { return p.Name })
		st.permissions = &permissions{policies: mtps}
		st.notEnforced = append(st.notEnforced, st.permissions.notEnforced()...)
		for _, p := range mtps {
			st.mtps = append(st.mtps, p.Name)
		}
	}

	var opas []*meshOPA
	for _, p := range d.opas {
		if targetOrMesh(p.Spec.TargetRef).selects(dp, spec) {
			opas = append(opas, p)
		}
	}
	if len(opas) == 0 {
		return st
	}
	orderPolicies(opas, func(p *meshOPA) *TargetRef { return p.Spec.TargetRef }, func(p *meshOPA) string { return p.Name })
	for _, p := range opas {
		st.meshOPAs = append(st.meshOPAs, p.Name)
		st.notEnforced = append(st.notEnforced, targetOrMesh(p.Spec.TargetRef).notEnforced("MeshOPA "+p.Name+": targetRef")...)
	}
	if !isHTTP {
		st.notEnforced = append(st.notEnforced, "MeshOPA "+fmt.Sprint(st.meshOPAs)+": inbound protocol "+spec.protocol()+" is not http, only HTTP requests are authorized")
		return st
	}
	a, notEnforced := m.authzFor(opas, d.secrets)
	st.authz = a
	st.notEnforced = append(st.notEnforced, notEnforced...)
	return st
}

// authzFor merges the confs of the selected MeshOPAs and compiles their policies (or takes them
// from the cache when the policy text is unchanged).
func (m *Manager) authzFor(opas []*meshOPA, secrets map[string][]byte) (*authz, []string) {
	confs := make([]opa.Conf, 0, len(opas))
	for _, p := range opas {
		c, err := opa.ParseConf(p.Name, p.Spec.Default)
		if err != nil {
			return &authz{err: err, settings: opa.Settings{StatusOnError: http.StatusForbidden}}, nil
		}
		confs = append(confs, c)
	}
	conf := opa.Merge(confs...)
	a := &authz{}
	var err error
	if a.settings, err = conf.Settings(); err != nil {
		a.err = err
		a.settings.StatusOnError = http.StatusForbidden
		return a, nil
	}
	var notEnforced []string
	if conf.AgentConfig != nil {
		raw, err := conf.AgentConfig.Resolve(secrets)
		if err == nil {
			a.agent, err = opa.ParseAgentConfig(raw)
		}
		if err != nil {
			a.err = fmt.Errorf("agentConfig: %w", err)
			return a, nil
		}
		notEnforced = append(notEnforced, a.agent.NotEnforced...)
	}
	mods, err := conf.Modules(secrets)
	if err != nil {
		a.err = err
		return a, notEnforced
	}
	a.key = opa.Key(mods)
	c, ok := m.compiled[a.key]
	if !ok {
		c.policy, c.err = opa.Compile(context.Background(), mods)
		if c.err != nil {
			m.logger.Warn("mesh sidecar: MeshOPA policy does not compile", "meshOPAs", len(opas), "error", c.err)
		}
		m.compiled[a.key] = c
	}
	a.policy, a.err = c.policy, c.err
	return a, notEnforced
}

// targetOrMesh is the policy's targetRef, Mesh when absent (Kuma's default).
func targetOrMesh(t *TargetRef) TargetRef {
	if t == nil {
		return TargetRef{Kind: "Mesh"}
	}
	return *t
}

// pruneCompiled drops compiled policy sets no inbound uses any more.
func (m *Manager) pruneCompiled() {
	used := map[string]bool{}
	for _, dps := range m.meshes {
		for _, ins := range dps {
			for _, in := range ins {
				if st := in.state.Load(); st != nil && st.authz != nil {
					used[st.authz.key] = true
				}
			}
		}
	}
	for k := range m.compiled {
		if !used[k] {
			delete(m.compiled, k)
		}
	}
}

// Listeners reports the sidecar listeners of one dataplane, in inbound order. It is empty when
// the dataplane is unknown or not on a loopback address.
func (m *Manager) Listeners(cpID, mesh, dataplane string) []Listener {
	m.mu.Lock()
	defer m.mu.Unlock()
	ins := m.meshes[meshKey{cpID, mesh}][dataplane]
	out := make([]Listener, 0, len(ins))
	for _, in := range ins {
		st := in.state.Load()
		l := Listener{
			Inbound: in.index, Name: in.name, Service: in.service, Protocol: in.protocol,
			Address: in.listen, ServiceAddress: in.target, Listening: in.err == nil && in.ln != nil,
			MeshOPAs: st.meshOPAs, MeshTrafficPermissions: st.mtps, NotEnforced: st.notEnforced,
		}
		if in.err != nil {
			l.Error = in.err.Error()
		}
		if st.authz != nil && st.authz.err != nil {
			l.PolicyError = st.authz.err.Error()
		}
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Inbound < out[j].Inbound })
	return out
}

// Remove stops every sidecar of a mesh (the mesh or its control plane was deleted).
func (m *Manager) Remove(cpID, mesh string) {
	_ = m.Apply(cpID, mesh, Resources{})
}

// Close stops every sidecar. The Manager cannot be used afterwards.
func (m *Manager) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	for key, dps := range m.meshes {
		for _, ins := range dps {
			for _, in := range ins {
				in.stop()
			}
		}
		delete(m.meshes, key)
	}
	m.transport.CloseIdleConnections()
	return nil
}
