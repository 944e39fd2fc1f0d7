package mesh

import "github.com/openkonnect/terraform-provider-konnect/client"

// NotEnforcedMeshFields are the Mesh fields the emulator stores and returns but does not act
// on: it has no mTLS, no egress, no locality-aware balancing and no default policies.
var NotEnforcedMeshFields = []string{
	"networking.outbound.passthrough", "routing.defaultForbidMeshExternalServiceAccess",
	"routing.localityAwareLoadBalancing", "routing.zoneEgress", "skipCreatingInitialPolicies",
}

// NotEnforcedControlPlaneFields are the mesh control plane fields stored and returned but not
// acted on (MeshCreation is: it creates the mesh "default").
var NotEnforcedControlPlaneFields = []string{"features[type=HostnameGeneratorCreation]"}

func validateMesh(body []byte) (Violations, error) {
	// Every field of the subset the API serves is checked by its schema already; decoding
	// catches a body the schema would let through but the type cannot hold.
	_, err := decode[client.MeshItem](body)
	return nil, err
}
