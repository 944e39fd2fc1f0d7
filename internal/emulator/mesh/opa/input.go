package opa

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// PartialBodyHeader tells the policy whether the body it sees was cut at maxSize.
const PartialBodyHeader = "x-envoy-auth-partial-body"

// CheckRequest is what the sidecar knows about one request when it asks for a decision.
type CheckRequest struct {
	Request *http.Request
	// ID is the stream id Envoy would put in attributes.request.http.id.
	ID string
	// SendBody says the body goes to the policy: Body holds at most maxSize bytes of it and
	// Truncated says whether there was more. RawBody sends it as bytes instead of a string.
	SendBody  bool
	Body      []byte
	Truncated bool
	RawBody   bool
	// Source and Destination are host:port of the client and of the inbound listener.
	Source, Destination string
	// SourcePrincipal is the client's mesh identity (a SPIFFE-like URI), empty outside the mesh.
	SourcePrincipal string
	Time            time.Time
}

// Input builds the ext_authz v3 CheckRequest document as the OPA-Envoy plugin hands it to the
// policy: the protojson encoding (camelCase keys, int64 as strings, bytes as base64, empty
// fields left out) plus parsed_path, parsed_query, parsed_body, truncated_body and version.
func Input(c CheckRequest) (map[string]any, error) {
	r := c.Request
	headers := lowerHeaders(r)
	if c.SendBody {
		headers[PartialBodyHeader] = strconv.FormatBool(c.Truncated)
	}
	size := int64(-1)
	if r.ContentLength >= 0 && (r.ContentLength > 0 || r.Header.Get("Content-Length") != "" || c.SendBody) {
		size = r.ContentLength
	}
	httpReq := map[string]any{
		"id":       c.ID,
		"method":   r.Method,
		"headers":  headers,
		"path":     r.URL.RequestURI(),
		"host":     r.Host,
		"scheme":   "http",
		"protocol": r.Proto,
		"size":     strconv.FormatInt(size, 10),
	}
	if c.SendBody && len(c.Body) > 0 {
		if c.RawBody {
			httpReq["rawBody"] = base64.StdEncoding.EncodeToString(c.Body)
		} else {
			httpReq["body"] = string(c.Body)
		}
	}
	source := map[string]any{"address": socketAddress(c.Source)}
	if c.SourcePrincipal != "" {
		source["principal"] = c.SourcePrincipal
	}
	request := map[string]any{"http": httpReq}
	if !c.Time.IsZero() {
		request["time"] = c.Time.UTC().Format(time.RFC3339Nano)
	}
	input := map[string]any{
		"attributes": map[string]any{
			"source":      source,
			"destination": map[string]any{"address": socketAddress(c.Destination)},
			"request":     request,
		},
		"version": map[string]any{"ext_authz": "v3", "encoding": "protojson"},
	}
	input["parsed_path"], input["parsed_query"] = parsePathAndQuery(r.URL)
	body := ""
	if c.SendBody && !c.RawBody {
		body = string(c.Body)
	}
	parsed, truncated, err := parseBody(headers, body)
	if err != nil {
		return nil, err
	}
	input["parsed_body"] = parsed
	input["truncated_body"] = truncated
	return input, nil
}

// lowerHeaders gives the request headers as Envoy hands them to ext_authz: lowercase names,
// repeated values joined by commas, and the HTTP/2-style pseudo-headers.
func lowerHeaders(r *http.Request) map[string]any {
	h := make(map[string]any, len(r.Header)+6)
	for k, vs := range r.Header {
		h[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	h[":authority"] = r.Host
	h[":method"] = r.Method
	h[":path"] = r.URL.RequestURI()
	h[":scheme"] = "http"
	if r.ContentLength > 0 {
		h["content-length"] = strconv.FormatInt(r.ContentLength, 10)
	}
	if len(r.TransferEncoding) > 0 {
		h["transfer-encoding"] = strings.Join(r.TransferEncoding, ",")
	}
	return h
}

func socketAddress(hostPort string) map[string]any {
	host, port, err := net.SplitHostPort(hostPort)
	if err != nil {
		return map[string]any{"socketAddress": map[string]any{"address": hostPort}}
	}
	p, _ := strconv.Atoi(port)
	return map[string]any{"socketAddress": map[string]any{"address": host, "portValue": json.Number(strconv.Itoa(p))}}
}

// parsePathAndQuery splits the path into its segments (without the leading slash) and the query
// into arrays of values, as the OPA-Envoy plugin does.
func parsePathAndQuery(u *url.URL) ([]any, map[string]any) {
	segs := strings.Split(strings.TrimLeft(u.Path, "/"), "/")
	path := make([]any, len(segs))
	for i, s := range segs {
		path[i] = s
	}
	query := map[string]any{}
	for k, vs := range u.Query() {
		arr := make([]any, len(vs))
		for i, v := range vs {
			arr[i] = v
		}
		query[k] = arr
	}
	return path, query
}

// parseBody decodes a JSON body. A body shorter than its content-length was cut: it is reported
// as truncated and not parsed. Bodies of other content types are not parsed.
func parseBody(headers map[string]any, body string) (any, bool, error) {
	ct, _ := headers["content-type"].(string)
	if !strings.Contains(ct, "application/json") || body == "" {
		return nil, false, nil
	}
	if cl, ok := headers["content-length"].(string); ok {
		n, err := strconv.ParseInt(cl, 10, 64)
		if err != nil {
			return nil, false, fmt.Errorf("content-length %q: %w", cl, err)
		}
		if n > int64(len(body)) {
			return nil, true, nil
		}
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(body)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false, fmt.Errorf("parsing the JSON body: %w", err)
	}
	return v, false, nil
}
