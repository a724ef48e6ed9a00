// Package httpauthz protects net/http handlers with billingrbac permissions.
//
// A Guard wraps a handler so that it runs only when the request's acting
// party holds a permission. Who acts is found by a function the application
// supplies (a session cookie, a token, a client certificate...): httpauthz
// does no authentication itself.
//
// Basics:
//
//	guard := httpauthz.New(httpauthz.Staff(svc, func(r *http.Request) (rbac.StaffID, error) {
//		return sessions.StaffID(r) // your authentication
//	}), httpauthz.Options{})
//	mux := http.NewServeMux()
//	mux.Handle("GET /invoices", guard.Require(rbac.Perm(rbac.FuncInvoices, rbac.ActView), listInvoices))
//	mux.Handle("POST /services/{id}/suspend", guard.RequireFunc(rbac.Perm(rbac.FuncServices, rbac.ActSuspend), suspend))
//
// The handler finds the identity the guard found in its request context
// (StaffFrom, IdentityFrom). All, Any and SignedIn guard with several
// permissions or none; Middleware gives the func(http.Handler)
// http.Handler shape routers' Use and With take (chi, gorilla, ...).
//
// A request without an identity is answered 401 and a denied one 403, both
// with an RFC 9457 problem-details body (application/problem+json) whose
// "code" member is machine readable and whose "permission" member names
// the permission required; with Options.ExplainDenials a 403 also says why
// it is missing (department names: off by default). Status and
// Problems.WriteError give the application's own handlers the same mapping
// of every sentinel error to an HTTP status and problem code.
//
// Caveats:
//   - Building a guard for a malformed permission, or one the Decider's
//     catalog does not hold (Staff's does), panics: a mistyped route fails
//     at start-up.
//   - The Decider interface is the extension point: Staff adapts an
//     rbac.Service and a staff identity function; another kind of party
//     (a client acting on what it owns) plugs in as another Decider.
//   - An allowed check costs one identity lookup, one in-memory check and
//     the request copy that carries the identity; decisions never read the
//     database, explanations (only when shown) do.
package httpauthz
