package identity

//go:generate go tool oapi-codegen -config oapi-codegen.yaml ../../../client/openapi.yaml
