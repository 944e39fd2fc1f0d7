package declarative

import (
	"bytes"
	"crypto/md5" //nolint:gosec // see loader.go
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// maxConfigBytes bounds a configuration sent to POST /config.
const maxConfigBytes = 64 << 20

// Handler serves Kong's DB-less /config for one control plane. GET exports the configuration;
// on POST the body is the file
// (JSON, or YAML), a JSON object with the file as a string in "config", or a form with a
// "config" field. 201 answers the entities loaded by type and id; 400 Kong's code-14 error,
// flattened with ?flatten_errors=1; with check_hash=1, 304 when the file is the one loaded.
type Handler struct {
	Loader *Loader
	// ControlPlane is the id of the control plane to configure, asked on every request (the
	// default control plane's id changes when the emulator is reset).
	ControlPlane func() (string, error)
	Logger       *slog.Logger
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		h.export(w)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "Method not allowed"})
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxConfigBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"message": "Payload too large"})
			return
		}
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "cannot read the request body"})
		return
	}
	req, status, msg := readConfigRequest(r, raw)
	if status != 0 {
		writeJSON(w, status, map[string]string{"message": msg})
		return
	}
	cp, err := h.ControlPlane()
	if err != nil {
		h.unexpected(w, err)
		return
	}
	if req.checkHash && req.hash == h.Loader.CurrentHash(cp) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	var result *Result
	if req.doc != nil {
		result, err = h.Loader.LoadDocument(cp, req.doc)
	} else {
		result, err = h.Loader.Load(cp, req.file)
	}
	var invalid *Error
	if errors.As(err, &invalid) {
		writeJSON(w, http.StatusBadRequest, invalid.Body(req.flatten && !invalid.unreadable()))
		return
	}
	if err != nil {
		h.unexpected(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, result.Entities)
}

// export answers Kong's GET /config: {"config": "<the configuration as YAML>"}.
func (h *Handler) export(w http.ResponseWriter) {
	cp, err := h.ControlPlane()
	if err != nil {
		h.unexpected(w, err)
		return
	}
	out, err := h.Loader.Export(cp)
	if err != nil {
		h.unexpected(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"config": string(out)})
}

// unexpected answers Kong's 500 and logs why.
func (h *Handler) unexpected(w http.ResponseWriter, err error) {
	if h.Logger != nil {
		h.Logger.Error("POST /config failed", "error", err)
	}
	writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "An unexpected error occurred"})
}

// configRequest is what a POST /config asks.
type configRequest struct {
	doc       map[string]any // the file, when the body is its JSON object
	file      []byte         // the file's text otherwise
	hash      string
	flatten   bool
	checkHash bool
}

// readConfigRequest finds the file in the request as Kong does: a JSON body with
// _format_version is the file; otherwise the "config" parameter (JSON, form or multipart)
// holds its text; otherwise the whole body is the file. Options come from the query string or
// the body's parameters. A non-zero status is an answer with its message.
func readConfigRequest(r *http.Request, raw []byte) (configRequest, int, string) {
	params := r.URL.Query()
	var req configRequest
	var config *string
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case ct == "application/json" && len(bytes.TrimSpace(raw)) > 0:
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var body map[string]any
		if err := dec.Decode(&body); err != nil {
			return req, http.StatusBadRequest, "Cannot parse JSON body"
		}
		for _, opt := range []string{"flatten_errors", "check_hash"} {
			if v, ok := body[opt]; ok {
				params.Set(opt, jsonParam(v))
				delete(body, opt)
			}
		}
		if _, ok := body["_format_version"]; ok {
			req.doc = body
		} else if s, ok := body["config"].(string); ok {
			config = &s
		}
	case ct == "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(raw))
		if err != nil {
			return req, http.StatusBadRequest, "Cannot parse form body"
		}
		mergeParams(params, form)
		if form.Has("config") {
			s := form.Get("config")
			config = &s
		}
	case ct == "multipart/form-data":
		r.Body = io.NopCloser(bytes.NewReader(raw))
		if err := r.ParseMultipartForm(maxConfigBytes); err != nil {
			return req, http.StatusBadRequest, "Cannot parse multipart body"
		}
		mergeParams(params, r.MultipartForm.Value)
		if vs := r.MultipartForm.Value["config"]; len(vs) > 0 {
			config = &vs[0]
		} else if fs := r.MultipartForm.File["config"]; len(fs) > 0 {
			f, err := fs[0].Open()
			if err != nil {
				return req, http.StatusBadRequest, "Cannot parse multipart body"
			}
			data, err := io.ReadAll(f)
			_ = f.Close()
			if err != nil {
				return req, http.StatusBadRequest, "Cannot parse multipart body"
			}
			s := string(data)
			config = &s
		}
	}
	req.flatten = truthy(params.Get("flatten_errors"))
	req.checkHash = params.Get("check_hash") == "1"
	switch {
	case req.doc != nil:
		canonical, _ := json.Marshal(req.doc)
		req.hash = Hash(canonical)
	case config != nil:
		req.file = []byte(*config)
	case len(bytes.TrimSpace(raw)) > 0:
		req.file = raw
	default:
		return req, http.StatusBadRequest, "expected a declarative configuration"
	}
	if req.doc == nil {
		req.hash = Hash(req.file)
	}
	return req, 0, ""
}

// Hash is Kong's hash of a configuration's text, MD5 in hex: it only tells a repeated file.
func Hash(data []byte) string {
	sum := md5.Sum(data) //nolint:gosec // see loader.go
	return hex.EncodeToString(sum[:])
}

func mergeParams(dst, src url.Values) {
	for k, vs := range src {
		for _, v := range vs {
			dst.Add(k, v)
		}
	}
}

// jsonParam writes a JSON option value as the query string would carry it.
func jsonParam(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case bool:
		if t {
			return "true"
		}
		return "false"
	default:
		raw, _ := json.Marshal(t)
		return string(raw)
	}
}

// truthy reads a flag as Kong does: true, 1, on, yes (any case).
func truthy(v string) bool {
	switch strings.ToLower(v) {
	case "true", "1", "on", "yes":
		return true
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
