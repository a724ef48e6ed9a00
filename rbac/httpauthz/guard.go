package httpauthz

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/billingrbac/billingrbac/rbac"
)

// Options configures a Guard. The zero value works.
type Options struct {
	// ProblemTypeBase prefixes the problem "type" URIs: the base followed
	// by the problem code ("unauthenticated", "permission-denied",
	// "internal-error"). Empty means "about:blank" for every problem, as
	// RFC 9457 allows.
	ProblemTypeBase string
	// ExplainDenials adds the "explanation" member to 403 bodies: why the
	// permission is missing, which names departments and staff. Off by
	// default, so callers do not learn who holds what; turn it on for
	// internal tools.
	ExplainDenials bool
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
	d        Decider
	opts     Options
	problems Problems
}

// New returns a Guard deciding with d.
func New(d Decider, opts Options) *Guard {
	return &Guard{d: d, opts: opts, problems: Problems{TypeBase: opts.ProblemTypeBase, Challenge: opts.Challenge}}
}

// Problems returns the problem writer the Guard uses (its type base and
// challenge), for the application's own handlers to answer errors the
// same way.
func (g *Guard) Problems() Problems { return g.problems }

// Require returns a handler that runs next only when the request's acting
// party holds p: otherwise it answers 401 (no identity), 403 (denied) or
// 500 (the Decider failed) with a problem-details body. The acting party
// is in the handler's request context (IdentityFrom, StaffFrom).
//
// Require panics when p is not a valid permission or, for a Decider that
// knows its catalog (Cataloger, such as Staff's), is not in the catalog:
// a mistyped route fails at start-up, like http.ServeMux's patterns,
// instead of silently becoming full-access-only.
func (g *Guard) Require(p rbac.Permission, next http.Handler) http.Handler {
	return g.build("Require", modeAll, []rbac.Permission{p}, next)
}

// RequireFunc is Require for a handler function.
func (g *Guard) RequireFunc(p rbac.Permission, next func(http.ResponseWriter, *http.Request)) http.Handler {
	return g.Require(p, http.HandlerFunc(next))
}

// Middleware returns Require as a func(http.Handler) http.Handler, the
// shape routers' Use and With methods take.
func (g *Guard) Middleware(p rbac.Permission) func(http.Handler) http.Handler {
	return g.All(p)
}

// All returns middleware that runs the handler only when the acting party
// holds every one of perms; a denial names the first one missing. It
// panics like Require, and when perms is empty.
func (g *Guard) All(perms ...rbac.Permission) func(http.Handler) http.Handler {
	g.validate("All", perms)
	return func(next http.Handler) http.Handler { return g.build("All", modeAll, perms, next) }
}

// Any returns middleware that runs the handler when the acting party holds
// at least one of perms. It panics like Require, and when perms is empty.
func (g *Guard) Any(perms ...rbac.Permission) func(http.Handler) http.Handler {
	g.validate("Any", perms)
	return func(next http.Handler) http.Handler { return g.build("Any", modeAny, perms, next) }
}

// SignedIn returns a handler that runs next for any identified party (401
// otherwise), with the party in the request context. It panics when the
// Guard's Decider does not implement Identifier.
func (g *Guard) SignedIn(next http.Handler) http.Handler {
	if _, ok := g.d.(Identifier); !ok {
		panic("httpauthz: SignedIn: the Decider does not implement Identifier")
	}
	return g.build("SignedIn", modeSignedIn, nil, next)
}

type mode int

const (
	modeAll mode = iota
	modeAny
	modeSignedIn
)

// validate panics on a permission no route should require.
func (g *Guard) validate(op string, perms []rbac.Permission) {
	if len(perms) == 0 {
		panic("httpauthz: " + op + ": no permission given")
	}
	var cat *rbac.Catalog
	if c, ok := g.d.(Cataloger); ok {
		cat = c.Catalog()
	}
	for _, p := range perms {
		if _, err := rbac.ParsePermission(p.String()); err != nil {
			panic(fmt.Sprintf("httpauthz: %s: %q is not a valid permission: %v", op, p.String(), err))
		}
		if cat != nil && !cat.Has(p) {
			panic(fmt.Sprintf("httpauthz: %s: permission %q is not in the catalog", op, p.String()))
		}
	}
}

func (g *Guard) build(op string, m mode, perms []rbac.Permission, next http.Handler) http.Handler {
	if m != modeSignedIn {
		g.validate(op, perms)
	}
	perms = append([]rbac.Permission(nil), perms...)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, denied, err := g.decide(r, m, perms)
		switch {
		case errors.Is(err, ErrNoIdentity):
			g.problems.Write(w, Problem{Status: http.StatusUnauthorized, Code: "unauthenticated",
				Instance: r.URL.Path, Permission: permList(perms),
				Detail: "this request needs an authenticated party" + holding(m, perms)})
		case errors.Is(err, context.Canceled):
			// The client went away; nobody reads the answer.
			w.WriteHeader(http.StatusServiceUnavailable)
		case err != nil:
			if g.opts.OnError != nil {
				g.opts.OnError(r, err)
			}
			g.problems.Write(w, Problem{Status: http.StatusInternalServerError, Code: "internal-error",
				Instance: r.URL.Path, Permission: permList(perms), Detail: "the permission check failed"})
		case !out.Allowed:
			pr := Problem{Status: http.StatusForbidden, Code: "permission-denied", Instance: r.URL.Path,
				Permission: permList(denied), Detail: out.Subject + " lacks" + needs(m, denied)}
			if g.opts.ExplainDenials {
				pr.Explanation = g.explain(r, out, denied)
			}
			g.problems.Write(w, pr)
		default:
			if out.Identity != nil {
				r = r.WithContext(WithIdentity(r.Context(), out.Identity))
			}
			next.ServeHTTP(w, r)
		}
	})
}

// decide returns the outcome for the request and, on a denial, the
// permissions the denial is about.
func (g *Guard) decide(r *http.Request, m mode, perms []rbac.Permission) (Outcome, []rbac.Permission, error) {
	if m == modeSignedIn {
		out, err := g.d.(Identifier).Identify(r)
		out.Allowed = err == nil
		return out, nil, err
	}
	var last Outcome
	for i, p := range perms {
		out, err := g.d.Decide(r, p)
		if err != nil {
			return out, nil, err
		}
		switch {
		case m == modeAll && !out.Allowed:
			return out, perms[i : i+1], nil
		case m == modeAny && out.Allowed:
			return out, nil, nil
		}
		last = out
	}
	if m == modeAny {
		return last, perms, nil // denied by every one
	}
	return last, nil, nil
}

func (g *Guard) explain(r *http.Request, out Outcome, denied []rbac.Permission) string {
	ex, ok := g.d.(Explainer)
	if !ok {
		return out.Explanation
	}
	parts := make([]string, len(denied))
	for i, p := range denied {
		parts[i] = ex.Explain(r, out, p)
	}
	return strings.Join(parts, "; ")
}

func permList(perms []rbac.Permission) string {
	parts := make([]string, len(perms))
	for i, p := range perms {
		parts[i] = p.String()
	}
	return strings.Join(parts, " ")
}

func holding(m mode, perms []rbac.Permission) string {
	if n := needs(m, perms); n != "" {
		return " holding" + n
	}
	return ""
}

// needs says what a guard requires, starting with a space.
func needs(m mode, perms []rbac.Permission) string {
	switch {
	case m == modeSignedIn || len(perms) == 0:
		return ""
	case len(perms) == 1:
		return " the permission " + perms[0].String()
	case m == modeAny:
		return " one of the permissions " + permList(perms)
	default:
		return " the permissions " + permList(perms)
	}
}
