// Package casbinsync gives Casbin users a Casbin enforcer over the
// library's policy, kept in step with a Service: for EnforceEx, Casbin's
// tooling, and services written against Casbin's API.
//
// The policy is Casbin's (model.conf; rules "p", "g" and "g2"), so a
// casbin.SyncedEnforcer over it decides what the Service decides.
// New loads the stored policy and then applies every change the Service
// applies (its Subscribe stream: local and remote changes, in order,
// never dropped), so the enforcer follows the Service within the
// Service's own propagation bound. After a reload of the Service (a gap
// or a diverged change log) it reloads the whole policy from the store.
//
// Temporary access (rbac.Window) has no Casbin form: the enforcer holds a
// temporary grant or membership as an ordinary line while its window
// contains the present, from a timer at each window edge, so Casbin's
// answer changes within a timer's precision of the edge where the
// Service's changes at the exact instant.
//
// The enforcer is read-only: auto-save is off and its adapter refuses
// every write (ErrReadOnly), so nothing written to it reaches the
// database, and what is written is overwritten at the next reload. Change access through the Service's admin operations; they are
// authorized by effect, which Casbin's API is not. Rows written into the
// Casbin table by other means are noticed, logged and reloaded by every
// instance (docs/database.md, "Rows written behind the library's back").
//
// Requests are Casbin's: the subject is "staff:<id>" (Subject), the
// object the function and the action the action:
//
//	ok, err := e.Casbin().Enforce(casbinsync.Subject(id), "invoices", "send")
package casbinsync
