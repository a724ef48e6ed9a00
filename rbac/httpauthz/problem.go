package httpauthz

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/billingrbac/billingrbac/rbac"
)

// ProblemContentType is the media type of problem-details bodies (RFC 9457).
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem-details body, with extension members: a
// machine-readable code, the permission a guard required, for a
// permission denial why it refused as a code (rbac.DenialCode, which
// names nobody, so it is always there) and in words (only when
// explanations are on), and the bad fields of an invalid input.
type Problem struct {
	Type        string         `json:"type"`
	Title       string         `json:"title"`
	Status      int            `json:"status"`
	Detail      string         `json:"detail,omitempty"`
	Instance    string         `json:"instance,omitempty"`
	Code        string         `json:"code,omitempty"`
	Permission  string         `json:"permission,omitempty"`
	Denial      string         `json:"denial,omitempty"`
	Explanation string         `json:"explanation,omitempty"`
	Errors      []FieldProblem `json:"errors,omitempty"`
}

// FieldProblem is one bad field of an invalid input (rbac.FieldError).
type FieldProblem struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// Problems writes problem-details responses. The zero value works: every
// problem's type is "about:blank" and a 401 challenges with "Bearer".
type Problems struct {
	// TypeBase prefixes the problem type URIs: the base followed by the
	// code ("permission-denied", "invalid", ...). Empty means
	// "about:blank", as RFC 9457 allows.
	TypeBase string
	// Challenge is the WWW-Authenticate header of a 401. Empty means
	// "Bearer".
	Challenge string
	// Explain shows the text of permission denials (which may name
	// departments and staff) in Detail; off, a denial says only that the
	// operation is not permitted. For internal tools.
	Explain bool
}

// For returns the problem for err, mapped with Status. The error's text
// becomes the detail only where it describes the caller's own input or a
// state it may know of (invalid input, conflicts, not found); a denial's
// text only with Explain; an internal error's never.
func (ps Problems) For(r *http.Request, err error) Problem {
	status, code := Status(err)
	p := Problem{Status: status, Code: code, Title: http.StatusText(status), Instance: r.URL.Path}
	m, known := lookup(err)
	switch {
	case known && m.public, known && ps.Explain && status == http.StatusForbidden:
		p.Detail = err.Error()
	case status == http.StatusForbidden:
		p.Detail = "the acting party may not perform this operation"
	case status == http.StatusInternalServerError:
		p.Detail = "the request could not be completed"
	}
	var de *rbac.DeniedError
	if errors.As(err, &de) {
		p.Denial = string(de.Code())
	}
	var ve *rbac.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			p.Errors = append(p.Errors, FieldProblem{Field: f.Field, Rule: f.Rule, Message: f.Message})
		}
	}
	return p
}

// WriteError writes the problem for err (see For).
func (ps Problems) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	ps.Write(w, ps.For(r, err))
}

// Write writes p as an application/problem+json response with status
// p.Status, filling Type from TypeBase and p.Code when it is empty.
func (ps Problems) Write(w http.ResponseWriter, p Problem) {
	if p.Type == "" {
		p.Type = "about:blank"
		if ps.TypeBase != "" && p.Code != "" {
			p.Type = ps.TypeBase + p.Code
		}
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	body, err := json.Marshal(p)
	if err != nil { // strings and ints only: cannot happen
		body = []byte(`{"type":"about:blank","status":500}`)
	}
	h := w.Header()
	h.Set("Content-Type", ProblemContentType)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if p.Status == http.StatusUnauthorized {
		// RFC 9110 requires a challenge on a 401.
		c := ps.Challenge
		if c == "" {
			c = "Bearer"
		}
		h.Set("WWW-Authenticate", c)
	}
	w.WriteHeader(p.Status)
	_, _ = w.Write(append(body, '\n'))
}
