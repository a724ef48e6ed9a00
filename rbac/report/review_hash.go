package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/billingrbac/billingrbac/rbac"
)

// ContentHash returns the SHA-256, in hexadecimal, of what the review
// certifies: what it prints (title, functions, departments with their
// members, permissions, staff listed individually, findings and counts),
// encoded as JSON. Its generation time,
// policy version, latest changes and sign-offs are left out, so two
// reviews of the same access have the same hash and a sign-off (which
// moves the version) does not change it.
func (r Review) ContentHash() (string, error) {
	content := struct {
		Title       string
		Functions   []FunctionColumn
		Departments []DepartmentRow
		Permissions []PermissionRow
		Exceptions  []ExceptionRow
		Findings    []Finding
		Counts      Counts
		Provenance  bool
	}{r.Title, r.Functions, r.Departments, r.Permissions, r.Exceptions, r.Findings, r.Counts, r.Provenance}
	h := sha256.New()
	if err := json.NewEncoder(h).Encode(content); err != nil {
		return "", reportErr(err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// SignOff returns the sign-off of this review for rbac.Service.SignOffReview.
func (r Review) SignOff(statement string) rbac.ReviewSignOff {
	return rbac.ReviewSignOff{Hash: r.Hash, Title: r.Title, Version: r.Version, GeneratedAt: r.GeneratedAt, Statement: statement}
}
