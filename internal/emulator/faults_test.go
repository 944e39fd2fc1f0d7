package emulator_test

import (
	"net/http"
	"strings"
	"testing"
)

// In the "after" mode the request is carried out and only its answer is lost: a 503, or a
// connection closed without an answer. In the default "before" mode nothing changes.
func TestFaultsAfterTheWrite(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, faults string
		wantStored   bool
	}{
		{"after 503", `{"rate":1,"status":503,"when":"after","methods":["POST"]}`, true},
		{"after drop", `{"rate":1,"drop":true,"when":"after","methods":["POST"]}`, true},
		{"before 503", `{"rate":1,"status":503,"methods":["POST"]}`, false},
		{"before drop", `{"rate":1,"drop":true,"when":"before","methods":["POST"]}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := start(t)
			if status, body := h.raw(http.MethodPut, "/_emulator/faults", tc.faults); status != http.StatusOK {
				t.Fatalf("set faults: %d %v", status, body)
			}
			req, _ := http.NewRequest(http.MethodPost, h.emu.URL+h.core("/consumers"), strings.NewReader(`{"username":"alice"}`))
			req.Header.Set("Authorization", "Bearer "+h.emu.Token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			drop := strings.Contains(tc.faults, `"drop"`)
			switch {
			case drop && err == nil:
				_ = resp.Body.Close()
				t.Fatalf("want the connection dropped, got %d", resp.StatusCode)
			case !drop && err != nil:
				t.Fatal(err)
			case !drop:
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusServiceUnavailable {
					t.Fatalf("status %d, want 503", resp.StatusCode)
				}
			}
			// GETs are not counted: only POSTs fail.
			status, body := h.raw(http.MethodGet, h.core("/consumers/alice"), "")
			if stored := status == http.StatusOK; stored != tc.wantStored {
				t.Fatalf("consumer stored: %v (%d %v), want %v", stored, status, body, tc.wantStored)
			}
		})
	}
}

func TestFaultsSettingsAreChecked(t *testing.T) {
	t.Parallel()
	h := start(t)
	for _, bad := range []string{
		`{"rate":1,"status":429,"when":"after"}`,
		`{"rate":1,"status":503,"when":"later"}`,
		`{"rate":1,"status":503,"drop":true}`,
		`{"rate":1,"status":503,"methods":["post"]}`,
	} {
		if status, body := h.raw(http.MethodPut, "/_emulator/faults", bad); status != http.StatusBadRequest {
			t.Errorf("%s: %d %v, want 400", bad, status, body)
		}
	}
}
