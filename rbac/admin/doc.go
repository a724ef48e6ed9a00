// Package admin is the product's Provider screens as an http.Handler that
// an application mounts: departments (localized names, business hours,
// "clients may send requests", task language, enable/disable, delete),
// a department's permissions as a functions × actions grid saved as one
// change after a review of what it does (the library's dry run: who gains
// and loses what, or the refusal, before the click), staff (a list searched and
// filtered by department and status, page by page from
// rbac.Service.ListStaff; every field of the product; a generated password
// shown once; an avatar with a preview; disable), a staff member's rights
// (inherited permissions shown with their department and not editable,
// direct grants editable) and the action log with filters. The same
// operations are a JSON API under /api, described by the OpenAPI 3.1
// document at OpenAPIPath, with RFC 9457 problems for errors.
//
// # Basics
//
//	guard := httpauthz.New(httpauthz.Staff(svc, sessions.StaffID), httpauthz.Options{})
//	mux.Handle("/admin/access/", guard.SignedIn(http.StripPrefix("/admin/access", admin.New(svc, admin.Options{}))))
//
// The application signs its staff in; the Handler finds who acts with
// Options.Identify or, by default, in the request context a Guard filled
// (httpauthz.StaffFrom).
//
// # Authorization
//
// The Handler decides nothing itself. Every write is the rbac.Service's
// method with the signed-in staff member as the actor, so a screen refuses
// exactly what the library refuses, and a refusal (403) shows the
// library's reason and the permission missing; every page checks the
// view permission of its section (departments:view, staff:view,
// actionlog:view) with rbac.Service.Check. The navigation shows only the
// sections the actor may open.
//
// # Security
//
// Unsafe requests from another origin are refused by
// http.CrossOriginProtection (Sec-Fetch-Site and Origin). Pages carry a
// Content-Security-Policy allowing only the Handler's own style sheet,
// images and one nonce'd script (an avatar preview and delete
// confirmations: every page works without it), frame-ancestors 'none' and
// X-Frame-Options DENY, and Cache-Control: no-store. Request bodies are
// limited to 1 MiB. A generated password appears only in the answer to
// the POST that made it.
//
// # Languages
//
// English and Russian, from Accept-Language or the switch in the header
// (a cookie). Localized names are edited in both and in any other
// language they already hold.
//
// # Caveats
//
//   - Saving a staff member's form is up to three changes (profile, then
//     each department joined or left), saving a staff member's rights up
//     to two (Grant, Revoke), creating a department with hours two: each
//     is authorized on its own, and a refusal stops the ones after it.
//     A department's permissions are one change (SetDepartmentPermissions).
package admin
