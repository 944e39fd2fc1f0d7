package mesh

import (
	"time"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// meshOPATargetKinds are the top-level targetRef kinds a MeshOPA may have.
var meshOPATargetKinds = []client.MeshTargetRefKind{
	client.TargetRefKindMesh, client.TargetRefKindMeshSubset, client.TargetRefKindMeshGateway,
	client.TargetRefKindMeshService, client.TargetRefKindMeshServiceSubset, client.TargetRefKindDataplane,
}

const (
	msgMustBeDefined     = "must be defined"
	msgOneDataSource     = "exactly one of 'secret', 'inline' or 'inlineString' has to be defined"
	msgMixedPolicyForms  = "'rego' cannot be used together with 'inlineString' or 'secret' beside it"
	msgStatusRange       = "must be in inclusive range [100, 599]"
	msgNotNegative       = "must be greater than or equal to 0"
	msgInvalidDuration   = "must be a valid duration, such as 500ms or 1s"
	msgDurationPositive  = "must be greater than 0"
	msgInlineEmpty       = "cannot be empty"
	msgDataSourceIsEmpty = "has to be defined"
)

func validateMeshOPA(body []byte) (Violations, error) {
	item, err := decode[client.MeshOPAItem](body)
	if err != nil {
		return nil, err
	}
	spec := Path("spec")
	v := validateTargetRef(spec.Field("targetRef"), item.Spec.TargetRef, meshOPATargetKinds)
	conf := item.Spec.Default
	at := spec.Field("default")
	if conf == nil {
		v.add(at.String(), msgMustBeDefined)
		return v, nil
	}
	if conf.AgentConfig != nil {
		v = append(v, validateDataSource(at.Field("agentConfig"), *conf.AgentConfig)...)
	}
	for i, p := range deref(conf.AppendPolicies) {
		pat := at.Field("appendPolicies").Index(i)
		flat := p.InlineString != nil || p.Secret != nil
		switch {
		case p.Rego != nil && flat:
			v.add(pat.String(), msgMixedPolicyForms)
		case p.Rego == nil && !flat:
			v.add(pat.Field("rego").String(), msgDataSourceIsEmpty)
		default:
			v = append(v, validateDataSource(pat.Field("rego"), RegoSource(p))...)
		}
	}
	if ac := conf.AuthConfig; ac != nil {
		aat := at.Field("authConfig")
		if ac.StatusOnError != nil && (*ac.StatusOnError < 100 || *ac.StatusOnError > 599) {
			v.add(aat.Field("statusOnError").String(), msgStatusRange)
		}
		if ac.Timeout != nil {
			if d, err := time.ParseDuration(*ac.Timeout); err != nil {
				v.add(aat.Field("timeout").String(), msgInvalidDuration)
			} else if d <= 0 {
				v.add(aat.Field("timeout").String(), msgDurationPositive)
			}
		}
		if rb := ac.RequestBody; rb != nil && rb.MaxSize != nil && *rb.MaxSize < 0 {
			v.add(aat.Field("requestBody").Field("maxSize").String(), msgNotNegative)
		}
	}
	return v, nil
}

// validateDataSource: exactly one source, and not an empty one.
func validateDataSource(at Path, ds client.MeshOPADataSource) Violations {
	var v Violations
	n := 0
	if ds.Inline != nil {
		n++
		if len(*ds.Inline) == 0 {
			v.add(at.Field("inline").String(), msgInlineEmpty)
		}
	}
	if ds.InlineString != nil {
		n++
		if *ds.InlineString == "" {
			v.add(at.Field("inlineString").String(), msgInlineEmpty)
		}
	}
	if ds.Secret != nil {
		n++
		if *ds.Secret == "" {
			v.add(at.Field("secret").String(), msgInlineEmpty)
		}
	}
	if n != 1 {
		v = append(Violations{{Field: at.String(), Reason: msgOneDataSource}}, v...)
	}
	return v
}

// RegoSource is where a policy's Rego comes from, whichever form it was written in: rego
// (the current form) or inlineString/secret beside it (the Kong Mesh 2.x documented form).
// The API stores what was sent, so a client reads back exactly what it wrote.
func RegoSource(p client.MeshOPAPolicy) client.MeshOPADataSource {
	if p.Rego != nil {
		return *p.Rego
	}
	return client.MeshOPADataSource{InlineString: p.InlineString, Secret: p.Secret}
}

// AllowsOnAgentFailure reports whether requests go through when the policy cannot be
// evaluated: onAgentFailure Allow (or the 2.x allow); Deny is the default.
func AllowsOnAgentFailure(ac *client.MeshOPAAuthConfig) bool {
	if ac == nil || ac.OnAgentFailure == nil {
		return false
	}
	switch *ac.OnAgentFailure {
	case client.MeshOPAAuthConfigOnAgentFailureAllow, client.MeshOPAAuthConfigOnAgentFailureAllowLowercase:
		return true
	default:
		return false
	}
}
