// Package engine is the change flow every domain of billingrbac goes
// through: staff and departments (package rbac), client accounts
// (rbac/clients) and tasks (rbac/tasks). It sits below the domains and
// imports none of them; they plug into it.
//
// One write, whatever its domain:
//
//	lock the version row (one gap-free sequence for every domain)
//	→ catch up every attached domain from the change log
//	→ the domain stages the change (validates, writes its rows)
//	→ the domain's pre-commit authorize hook (Stage.Authorize)
//	→ the domain writes its Casbin rules (Stage.Persist)
//	→ append the change-log entry, chained to the previous one by a hash
//	→ pg_notify (by the store, delivered on commit)
//	→ commit
//	→ apply the entry to every domain's in-memory snapshot
//
// Other instances hear of the commit through one listener per process
// (the store's Notifier) and catch up from the log; a periodic catch-up is
// the safety net when a notification is lost, and every catch-up is
// retried with capped backoff until it succeeds. Each entry carries the
// hash of its content and of the entry before it, so an instance detects
// that the log it applied is not the log the database holds (a failover to
// a standby that lost commits, a restore) and reloads.
//
// Caveats:
//   - The engine trusts the database's chain: it compares the hash of its
//     last applied entry with the database's, it does not recompute hashes.
//   - Reloads (a gap, a diverged log, a new domain attaching) read every
//     domain's state inside the write lock, so they are consistent with one
//     version; they hold the lock for as long as loading takes.
package engine
