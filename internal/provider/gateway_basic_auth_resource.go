package provider

import (
	"context"
	"crypto/sha1" //nolint:gosec // Kong stores basic-auth passwords as SHA-1(password .. consumer id); comparing needs the same.
	"encoding/hex"
	"io"
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_gateway_basic_auth.
var gatewayBasicAuth = &entityDef{
	typeName:    "gateway_basic_auth",
	entity:      "basic-auth credential",
	schemaName:  "BasicAuth",
	description: "A user name and password of a consumer, checked by the basic-auth plugin.",
	parent:      &parentDef{attr: "consumer_id", field: "consumer", entity: "consumer"},
	fields: fieldOptions{
		skip:      []string{"consumer"},
		sensitive: []string{"password"},
		required:  []string{"username", "password"},
	},
	keepConfigured: []string{"password"},
	matches:        basicAuthPasswordMatches,
	api: entityAPI{
		get: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.GetBasicAuthWithConsumer(ctx, k.cp, k.parent, k.id)
		},
		put: func(ctx context.Context, c *client.Client, k entityKey, body io.Reader) (*http.Response, error) {
			return c.UpsertBasicAuthWithConsumerWithBody(ctx, k.cp, k.parent, k.id, jsonContent, body)
		},
		del: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.DeleteBasicAuthWithConsumer(ctx, k.cp, k.parent, k.id)
		},
	},
}

// basicAuthPasswordMatches tells whether the hash the API stores is the configured
// password's: Kong keeps SHA-1 of the password followed by the consumer's id.
func basicAuthPasswordMatches(configured, stored any, entity map[string]any) bool {
	password, _ := configured.(string)
	consumer, _ := entity["consumer"].(map[string]any)
	id, _ := consumer["id"].(string)
	sum := sha1.Sum([]byte(password + id)) //nolint:gosec // see the import
	return hex.EncodeToString(sum[:]) == stored
}
