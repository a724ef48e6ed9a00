package httpauthz

import (
	"errors"
	"net/http"

	"github.com/billingrbac/billingrbac/rbac"
)

// ErrNoIdentity is returned by an identity function (wrapped or not) when
// the request carries no acting party. The Guard answers 401.
var ErrNoIdentity = errors.New("httpauthz: no identity in the request")

// Outcome is a Decider's answer for one request.
type Outcome struct {
	// Allowed is true when the acting party holds the permission.
	Allowed bool
	// Identity is the acting party, put in the request's context for the
	// wrapped handler (see IdentityFrom, StaffFrom). Nil puts nothing.
	Identity any
	// Subject names the acting party in problem bodies, such as "staff
	// 3". The Guard reads it only on a denial.
	Subject string
	// Explanation says, on a denial, why the permission is missing. The
	// Guard shows it only with Options.ExplainDenials.
	Explanation string
}

// A Decider decides whether the acting party of a request may perform a
// permission. It returns an error wrapping ErrNoIdentity when the request
// has no acting party; any other error is answered 500. Implementations
// must be safe for concurrent use.
//
// A Decider may also implement Identifier (needed by Guard.SignedIn),
// Explainer (explanations computed only when shown) and Cataloger
// (permissions checked when routes are built).
type Decider interface {
	Decide(r *http.Request, p rbac.Permission) (Outcome, error)
}

// Identifier is implemented by a Decider that can find the acting party
// without deciding a permission. Guard.SignedIn needs it.
type Identifier interface {
	// Identify returns an Outcome whose Identity and Subject name the
	// acting party, or an error wrapping ErrNoIdentity.
	Identify(r *http.Request) (Outcome, error)
}

// Explainer is implemented by a Decider whose explanations are worth
// computing only when they are shown (Options.ExplainDenials).
type Explainer interface {
	// Explain says why the party of a denied Outcome lacks p.
	Explain(r *http.Request, denied Outcome, p rbac.Permission) string
}

// Cataloger is implemented by a Decider that knows the catalog of
// grantable permissions: the Guard then refuses, when a route is built,
// a permission the catalog does not hold.
type Cataloger interface {
	Catalog() *rbac.Catalog
}

// DeciderFunc adapts a function to the Decider interface.
type DeciderFunc func(r *http.Request, p rbac.Permission) (Outcome, error)

// Decide calls f(r, p).
func (f DeciderFunc) Decide(r *http.Request, p rbac.Permission) (Outcome, error) { return f(r, p) }

// StaffFunc finds the staff member acting in a request. It returns an error
// wrapping ErrNoIdentity (or a zero ID) when there is none; another error
// means the lookup itself failed.
type StaffFunc func(r *http.Request) (rbac.StaffID, error)

// StaffDecider decides for staff members from an rbac.Service's in-memory
// decisions: a decision never reads the database (only an explanation
// does, when the Guard shows them). It implements Decider, Identifier,
// Explainer and Cataloger.
type StaffDecider struct {
	svc      *rbac.Service
	identify StaffFunc
}

// Staff returns a Decider that identifies the acting staff member with
// identify and answers from svc's in-memory decisions. The staff ID goes
// into the request's context (StaffFrom).
func Staff(svc *rbac.Service, identify StaffFunc) *StaffDecider {
	return &StaffDecider{svc: svc, identify: identify}
}

// Identify finds the acting staff member.
func (d *StaffDecider) Identify(r *http.Request) (Outcome, error) {
	id, err := d.identify(r)
	if err != nil {
		return Outcome{}, err
	}
	if id <= 0 {
		return Outcome{}, ErrNoIdentity
	}
	return Outcome{Allowed: true, Identity: id}, nil
}

// Decide identifies the staff member and checks p.
func (d *StaffDecider) Decide(r *http.Request, p rbac.Permission) (Outcome, error) {
	out, err := d.Identify(r)
	if err != nil {
		return out, err
	}
	id := out.Identity.(rbac.StaffID)
	if d.svc.Can(id, p) {
		return out, nil
	}
	return Outcome{Identity: id, Subject: "staff " + id.String()}, nil
}

// Explain explains a denial with department names (rbac.Service.Describe,
// which reads the department list): called only with
// Options.ExplainDenials, never on an allowed request.
func (d *StaffDecider) Explain(r *http.Request, denied Outcome, p rbac.Permission) string {
	id, _ := denied.Identity.(rbac.StaffID)
	return d.svc.Describe(r.Context(), d.svc.Explain(id, p))
}

// Catalog returns the Service's catalog.
func (d *StaffDecider) Catalog() *rbac.Catalog { return d.svc.Catalog() }
