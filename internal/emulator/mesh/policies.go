package mesh

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// policy is one policy of a kind that selects a dataplane, with what it contributes.
type policy struct {
	name        string
	specificity int
	conf        map[string]any
}

// ProxyPolicies answers GET .../dataplanes/{name}/_policies: for each policy kind, the
// policies whose top-level targetRef selects the dataplane, least specific first (ties by
// name), and their confs merged as Kuma merges them (JSON merge patch; lists whose name
// starts with "append" are concatenated). For MeshOPA the conf is the merged spec.default;
// for MeshTrafficPermission, which configures inbounds from clients, it is {"from": [...]}
// with the from entries of every selecting policy, in the same order.
func ProxyPolicies(mesh string, dp client.DataplaneItem, opas []client.MeshOPAItem, mtps []client.MeshTrafficPermissionItem) (client.PoliciesList, error) {
	out := client.PoliciesList{Policies: []client.PolicyConf{}}
	var opaPolicies, mtpPolicies []policy
	for _, p := range opas {
		if !Selects(p.Spec.TargetRef, dp) {
			continue
		}
		conf, err := toMap(p.Spec.Default)
		if err != nil {
			return out, fmt.Errorf("MeshOPA %s: %w", p.Name, err)
		}
		opaPolicies = append(opaPolicies, policy{name: p.Name, specificity: Specificity(p.Spec.TargetRef), conf: conf})
	}
	for _, p := range mtps {
		if !Selects(p.Spec.TargetRef, dp) {
			continue
		}
		from, err := toAny(deref(p.Spec.From))
		if err != nil {
			return out, fmt.Errorf("MeshTrafficPermission %s: %w", p.Name, err)
		}
		mtpPolicies = append(mtpPolicies, policy{name: p.Name, specificity: Specificity(p.Spec.TargetRef), conf: map[string]any{"appendFrom": from}})
	}
	if pc, ok := merged(MeshOPAs, mesh, opaPolicies); ok {
		out.Policies = append(out.Policies, pc)
	}
	if pc, ok := merged(MeshTrafficPermissions, mesh, mtpPolicies); ok {
		// "appendFrom" only made the merge concatenate; the API names the list "from".
		pc.Conf = map[string]any{"from": pc.Conf["appendFrom"]}
		out.Policies = append(out.Policies, pc)
	}
	return out, nil
}

func merged(kind *Kind, mesh string, ps []policy) (client.PolicyConf, bool) {
	if len(ps) == 0 {
		return client.PolicyConf{}, false
	}
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].specificity != ps[j].specificity {
			return ps[i].specificity < ps[j].specificity
		}
		return ps[i].name < ps[j].name
	})
	pc := client.PolicyConf{Kind: kind.Type, Conf: map[string]any{}, Origins: []client.PolicyOrigin{}}
	for _, p := range ps {
		pc.Conf = mergePatch(pc.Conf, p.conf)
		pc.Origins = append(pc.Origins, client.PolicyOrigin{Kri: kind.KRI(mesh, p.name)})
	}
	return pc, true
}

// mergePatch applies patch to target as RFC 7396 says, except that lists under a key starting
// with "append" are concatenated, as Kuma does.
func mergePatch(target, patch map[string]any) map[string]any {
	if target == nil {
		target = map[string]any{}
	}
	for k, pv := range patch {
		switch pv := pv.(type) {
		case nil:
			delete(target, k)
		case map[string]any:
			tv, _ := target[k].(map[string]any)
			target[k] = mergePatch(tv, pv)
		case []any:
			if tv, ok := target[k].([]any); ok && strings.HasPrefix(k, "append") {
				target[k] = append(append([]any{}, tv...), pv...)
			} else {
				target[k] = pv
			}
		default:
			target[k] = pv
		}
	}
	return target
}

func toMap(v any) (map[string]any, error) {
	out := map[string]any{}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding: %w", err)
	}
	if string(raw) == "null" {
		return out, nil
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	return out, nil
}

func toAny(v any) (any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding: %w", err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	return out, nil
}
