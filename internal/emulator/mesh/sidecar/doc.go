// Package sidecar runs the data-plane side of Kong Mesh for the emulator: for every Dataplane
// registered on a loopback address, one listener per inbound that forwards to the service,
// checking MeshTrafficPermission and then MeshOPA on HTTP inbounds, as the Envoy sidecar with
// its RBAC and ext_authz filters and the embedded OPA agent would.
//
// The caller (the emulator's mesh API) hands the Manager every resource of a mesh on each
// change; the package knows nothing of the API that stores them.
//
// Mesh identity: with no mTLS between sidecars, a client sidecar identifies its service with the
// header Kuma's outbound listeners set, `x-kuma-tags` (`&kuma.io/service=web&&version=v1&`).
// A request without it comes from outside the mesh. The identity is also given to the policy
// as attributes.source.principal, `spiffe://<mesh>/<service>`, the SPIFFE ID mTLS would carry.
package sidecar
