package mesh

import "github.com/openkonnect/terraform-provider-konnect/client"

// The targetRef kinds of a MeshTrafficPermission: at the top (what it protects) and in from[]
// (which clients).
var (
	mtpTargetKinds = []client.MeshTargetRefKind{
		client.TargetRefKindMesh, client.TargetRefKindMeshSubset, client.TargetRefKindMeshService,
		client.TargetRefKindMeshServiceSubset, client.TargetRefKindDataplane,
	}
	mtpFromKinds = []client.MeshTargetRefKind{
		client.TargetRefKindMesh, client.TargetRefKindMeshSubset, client.TargetRefKindMeshService,
		client.TargetRefKindMeshServiceSubset,
	}
)

const msgNeedsOneItem = "needs at least one item"

func validateMeshTrafficPermission(body []byte) (Violations, error) {
	item, err := decode[client.MeshTrafficPermissionItem](body)
	if err != nil {
		return nil, err
	}
	spec := Path("spec")
	v := validateTargetRef(spec.Field("targetRef"), item.Spec.TargetRef, mtpTargetKinds)
	from := deref(item.Spec.From)
	if len(from) == 0 {
		v.add(spec.Field("from").String(), msgNeedsOneItem)
	}
	for i, f := range from {
		at := spec.Field("from").Index(i)
		v = append(v, validateTargetRef(at.Field("targetRef"), &f.TargetRef, mtpFromKinds)...)
		if f.Default == nil || f.Default.Action == nil {
			v.add(at.Field("default").Field("action").String(), msgMustBeDefined)
		}
	}
	return v, nil
}
