package httpauthz

import (
	"encoding/json"
	"net/http"

	"github.com/billingrbac/billingrbac/rbac"
)

// ProblemContentType is the media type of problem-details bodies (RFC 9457).
const ProblemContentType = "application/problem+json"

// Problem is the RFC 9457 problem-details body the Guard writes, with two
// extension members: the permission required and, on a 403, why it is
// missing.
type Problem struct {
	Type        string `json:"type"`
	Title       string `json:"title"`
	Status      int    `json:"status"`
	Detail      string `json:"detail,omitempty"`
	Instance    string `json:"instance,omitempty"`
	Permission  string `json:"permission,omitempty"`
	Explanation string `json:"explanation,omitempty"`
}

func (g *Guard) problem(w http.ResponseWriter, r *http.Request, status int, kind string, p rbac.Permission, detail, explanation string) {
	typ := "about:blank"
	if g.opts.ProblemTypeBase != "" {
		typ = g.opts.ProblemTypeBase + kind
	}
	if g.opts.OmitExplanation {
		explanation = ""
	}
	body, _ := json.Marshal(Problem{ // a struct of strings and an int always marshals
		Type:        typ,
		Title:       http.StatusText(status),
		Status:      status,
		Detail:      detail,
		Instance:    r.URL.Path,
		Permission:  p.String(),
		Explanation: explanation,
	})
	h := w.Header()
	h.Set("Content-Type", ProblemContentType)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if status == http.StatusUnauthorized {
		// RFC 9110 requires a challenge on a 401.
		c := g.opts.Challenge
		if c == "" {
			c = "Bearer"
		}
		h.Set("WWW-Authenticate", c)
	}
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
