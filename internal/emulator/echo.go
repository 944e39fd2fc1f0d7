package emulator

import (
	"io"
	"net/http"
)

// Echo is what the emulator's echo upstream answers: the request as it arrived. Point a
// service at <api url>/_emulator/echo to see what the gateway sent upstream.
type Echo struct {
	Method  string              `json:"method"`
	Path    string              `json:"path"`
	Query   string              `json:"query"`
	Host    string              `json:"host"`
	Headers map[string][]string `json:"headers"`
	Body    string              `json:"body"`
}

// maxEchoBody bounds what the echo reads back.
const maxEchoBody = 1 << 20

func serveEcho(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxEchoBody))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "cannot read the body"})
		return
	}
	writeJSON(w, http.StatusOK, Echo{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Host: r.Host, Headers: r.Header, Body: string(body)})
}
