// Package opa compiles and evaluates Kong Mesh MeshOPA policies with the OPA Go library.
//
// It knows the shape of a MeshOPA's spec.default (agentConfig, appendPolicies, authConfig),
// turns policy data sources (inlineString, base64 inline, mesh secrets) into Rego modules,
// compiles them once with github.com/open-policy-agent/opa (Rego v1 and the v0 syntax of the
// Kong Mesh 2.x documentation), builds the Envoy ext_authz input document and reads decisions
// as the OPA-Envoy plugin does (a boolean, or an object with allowed, headers, body, http_status...).
package opa
