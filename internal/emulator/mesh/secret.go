package mesh

import "github.com/openkonnect/terraform-provider-konnect/client"

func validateSecret(body []byte) (Violations, error) {
	item, err := decode[client.SecretItem](body)
	if err != nil {
		return nil, err
	}
	var v Violations
	if item.Data == nil || len(*item.Data) == 0 {
		v.add("data", msgCannotBeEmpty)
	}
	return v, nil
}
