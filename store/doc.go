// Package store persists billingrbac's departments, staff, policy and change
// log with GORM: embedded SQLite (pure Go, no cgo) by default, PostgreSQL in
// production. It implements rbac.Store.
//
// Basics:
//
//	st, err := store.Open(ctx, "")            // billingrbac.db in the working directory
//	st, err := store.Open(ctx, ":memory:")    // a private in-memory database
//	st, err := store.Open(ctx, "postgres://user@host/db?sslmode=disable")
//	err = st.Migrate(ctx)                      // explicit, versioned, transactional
//	svc, err := rbac.New(ctx, st, rbac.Options{})
//
// Every change the rbac.Service makes runs in one transaction: domain rows,
// casbin_rule rows (written through casbin's gorm-adapter bound to that
// transaction, with its auto-migration off), the change log entry and the
// version bump. The transaction first increments the single version row,
// which locks it: writers are serialized across processes and the change
// log has no gaps.
//
// Caveats:
//   - Open never creates or alters tables; call Migrate.
//   - On PostgreSQL the store also implements rbac.Notifier: each commit is
//     announced with NOTIFY on channel "billingrbac" and instances listen.
//   - gorm-adapter's Transaction and SavePolicy helpers are never used: the
//     first serializes behind a global mutex and re-migrates, the second
//     truncates outside the transaction.
package store
