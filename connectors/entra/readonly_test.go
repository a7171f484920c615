package entra

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReadOnlyTransportRefusesWrites(t *testing.T) {
	var hits int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	c := &http.Client{Transport: readOnly{http.DefaultTransport}}
	for _, m := range []string{http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete} {
		req, _ := http.NewRequestWithContext(t.Context(), m, srv.URL+"/v1.0/users/x", strings.NewReader("{}"))
		if _, err := c.Do(req); err == nil || !strings.Contains(err.Error(), "only reads") {
			t.Errorf("%s: err = %v, want refusal", m, err)
		}
	}
	if hits != 0 {
		t.Fatalf("%d write requests reached the server", hits)
	}
	resp, err := c.Get(srv.URL + "/v1.0/users")
	if err != nil || hits != 1 {
		t.Fatalf("GET refused: %v", err)
	}
	resp.Body.Close()
}
