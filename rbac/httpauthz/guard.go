package httpauthz

import (
	"context"
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
	// Subject names the acting party in problem bodies, such as "staff
	// 3". The Guard reads it only on a denial.
	Subject string
	// Explanation says, on a denial, why the permission is missing.
	Explanation string
}

// A Decider decides whether the acting party of a request may perform a
// permission. It returns an error wrapping ErrNoIdentity when the request
// has no acting party; any other error is answered 500. Implementations
// must be safe for concurrent use.
type Decider interface {
	Decide(r *http.Request, p rbac.Permission) (Outcome, error)
}

// DeciderFunc adapts a function to the Decider interface.
type DeciderFunc func(r *http.Request, p rbac.Permission) (Outcome, error)

// Decide calls f(r, p).
func (f DeciderFunc) Decide(r *http.Request, p rbac.Permission) (Outcome, error) { return f(r, p) }

// StaffFunc finds the staff member acting in a request. It returns an error
// wrapping ErrNoIdentity (or a zero ID) when there is none; another error
// means the lookup itself failed.
type StaffFunc func(r *http.Request) (rbac.StaffID, error)

// Staff returns a Decider that identifies the acting staff member with
// identify and answers from svc's in-memory decisions; an allowed request
// allocates nothing beyond what identify does. A denial is explained with
// department names (Service.Describe, which reads the department list from
// the store) and sets Subject to "staff ID".
func Staff(svc *rbac.Service, identify StaffFunc) Decider {
	return DeciderFunc(func(r *http.Request, p rbac.Permission) (Outcome, error) {
		id, err := identify(r)
		if err != nil {
			return Outcome{}, err
		}
		if id <= 0 {
			return Outcome{}, ErrNoIdentity
		}
		if svc.Can(id, p) {
			return Outcome{Allowed: true}, nil // no Subject: the allowed path allocates nothing
		}
		return Outcome{Subject: "staff " + id.String(), Explanation: svc.Describe(r.Context(), svc.Explain(id, p))}, nil
	})
}

// Options configures a Guard. The zero value works.
type Options struct {
	// ProblemTypeBase prefixes the problem "type" URIs: the base followed
	// by "unauthenticated", "permission-denied" or "internal-error". Empty
	// means "about:blank" for every problem, as RFC 9457 allows.
	ProblemTypeBase string
	// OmitExplanation leaves the "explanation" member out of 403 bodies,
	// for APIs whose callers must not learn which departments hold what.
	OmitExplanation bool
	// Challenge is the WWW-Authenticate header sent with a 401, naming the
	// application's authentication scheme. Empty means `Bearer`.
	Challenge string
	// OnError is called with errors of the Decider other than
	// ErrNoIdentity (the request is answered 500). Nil ignores them.
	OnError func(r *http.Request, err error)
}

// Guard wraps handlers with permission checks. It is safe for concurrent
// use.
type Guard struct {
	d    Decider
	opts Options
}

// New returns a Guard deciding with d.
func New(d Decider, opts Options) *Guard { return &Guard{d: d, opts: opts} }

// Require returns a handler that runs next only when the request's acting
// party holds p: otherwise it answers 401 (no identity), 403 (denied) or
// 500 (the Decider failed) with a problem-details body.
func (g *Guard) Require(p rbac.Permission, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := g.d.Decide(r, p)
		switch {
		case errors.Is(err, ErrNoIdentity):
			g.problem(w, r, http.StatusUnauthorized, "unauthenticated", p,
				"this request needs an authenticated staff member holding "+p.String(), "")
		case errors.Is(err, context.Canceled):
			// The client went away; nobody reads the answer.
			w.WriteHeader(http.StatusServiceUnavailable)
		case err != nil:
			if g.opts.OnError != nil {
				g.opts.OnError(r, err)
			}
			g.problem(w, r, http.StatusInternalServerError, "internal-error", p,
				"the permission check failed", "")
		case !out.Allowed:
			g.problem(w, r, http.StatusForbidden, "permission-denied", p,
				out.Subject+" lacks the permission "+p.String(), out.Explanation)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// RequireFunc is Require for a handler function.
func (g *Guard) RequireFunc(p rbac.Permission, next func(http.ResponseWriter, *http.Request)) http.Handler {
	return g.Require(p, http.HandlerFunc(next))
}

// Middleware returns Require as a func(http.Handler) http.Handler, the
// shape routers' Use methods take.
func (g *Guard) Middleware(p rbac.Permission) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler { return g.Require(p, next) }
}
