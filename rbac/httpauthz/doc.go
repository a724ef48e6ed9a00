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
// A request without an identity is answered 401 and a denied one 403, both
// with an RFC 9457 problem-details body (application/problem+json) whose
// "permission" member names the permission required; on a 403 the
// "explanation" member says why it is missing, unless
// Options.OmitExplanation is set.
//
// Caveats:
//   - The Decider interface is the extension point: Staff adapts an
//     rbac.Service and a staff identity function; another kind of party
//     (a client acting on what it owns) plugs in as another Decider.
//   - An allowed check costs one identity lookup and one in-memory check.
//     Explanations are computed only on a denial; Staff's names the
//     departments, which reads the department list from the store once per
//     denied request.
package httpauthz
