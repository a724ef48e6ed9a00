// Package store persists billingrbac's departments, staff, policy and change
// log with GORM: embedded SQLite (pure Go, no cgo) by default, PostgreSQL in
// production. It implements rbac.Store.
//
// Basics:
//
//	st, err := store.Open(ctx, "")            // billingrbac.db in the working directory
//	st, err := store.Open(ctx, ":memory:")    // a private in-memory database
//	st, err := store.Open(ctx, "postgres://user@host/db?sslmode=disable")
//	st, err := store.Open(ctx, "host=db user=billing dbname=billing") // PostgreSQL's key=value form
//	err = st.Migrate(ctx)                      // explicit, versioned, transactional
//	svc, err := rbac.New(ctx, st, rbac.Options{})
//
// Every change the rbac.Service makes runs in one transaction: domain rows,
// policy rows (written through casbin's gorm-adapter bound to that
// transaction, with its auto-migration off), the change log entry and the
// version bump. The transaction first increments the single version row,
// which locks it: writers are serialized across processes and the change
// log has no gaps.
//
// Tables: every table, index, constraint and sequence the library creates
// is named with TablePrefix, billingrbac_ (billingrbac_staff,
// billingrbac_casbin_rule, billingrbac_changes, ...), so the store shares
// a database with the application's own tables and ORM migrations. On
// PostgreSQL, Options.Schema puts the library in a schema of its own.
//
// Migrations are plain SQL files in goose's format, one per version and
// dialect, embedded: store/migrations/sqlite/NNNNN_name.sql and
// store/migrations/postgres/NNNNN_name.sql. The first is a baseline that
// creates the schema of its version at once (a new database starts
// there); store/migrations/history holds the single steps before it,
// which databases migrated by earlier releases continue through. Migrate
// runs them; MigrationsFS hands the current files to a DBA or to goose
// (rbacctl migrations export writes them to a directory).
//
// Adding a migration is adding two files, nothing in Go: the next number
// in store/migrations/sqlite and store/migrations/postgres, each ending
// with the INSERT INTO billingrbac_schema that records its version, using
// the prefixed names; then refresh testdata/catalog.*.txt (go test -run
// TestSchemaCatalog ./store -update-catalog, with PostgreSQL too) so the
// review shows what changes. See docs/database.md.
//
// Caveats:
//   - Open never creates or alters tables; call Migrate.
//   - A DSN that is neither an explicit SQLite form ("", ":memory:",
//     file:, sqlite:, a path ending in .db/.sqlite/.sqlite3/.db3) nor a
//     PostgreSQL one (URL or key=value) is refused with rbac.ErrInvalid,
//     so a mistyped server DSN never becomes a new SQLite file.
//   - On PostgreSQL the store also implements rbac.Notifier: each commit is
//     announced with NOTIFY on channel "billingrbac" and instances listen,
//     on one dedicated connection that is pinged when silent
//     (Options.ListenerPing) and made again when lost or hung.
//   - LISTEN needs a session: point the store at PostgreSQL or at a
//     session-mode pooler, not at a transaction-mode PgBouncer.
//   - After a restart or failover, pooled connections idle since the store
//     saw a connection die are pinged before reuse, and a transaction
//     whose BEGIN fails on a dead connection is begun again once; nothing
//     is retried after BEGIN succeeded.
//   - gorm-adapter's Transaction and SavePolicy helpers are never used: the
//     first serializes behind a global mutex and re-migrates, the second
//     truncates outside the transaction.
package store
