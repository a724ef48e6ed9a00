package engine

import "context"

// Store is what the engine needs from persistence, for every domain at
// once. Package rbac adapts its public rbac.Store to it.
type Store interface {
	// Update runs fn in one transaction that holds the version lock:
	// writers of every process and every domain are serialized. It commits
	// when fn returns nil and rolls back otherwise.
	Update(ctx context.Context, fn func(Tx) error) error
	// Entries returns up to limit committed entries with Version > after,
	// ascending.
	Entries(ctx context.Context, after int64, limit int) ([]Entry, error)
}

// HeadReader is an optional capability of a Store: the version and hash
// of the last committed entry, read without its content. A catch-up that
// finds the database at this instance's head (the notification of its own
// commit, the periodic tick of a quiet installation) then reads and
// decodes no entry. An error makes the catch-up read entries as without it.
type HeadReader interface {
	LastHead(ctx context.Context) (Head, error)
}

// Tx is one write transaction.
type Tx interface {
	// Version is the version this transaction commits as.
	Version() int64
	// Prev is the last committed entry (Version()-1 and its hash), as the
	// database holds it inside the lock.
	Prev() Head
	// Entries reads committed entries inside the lock.
	Entries(after int64, limit int) ([]Entry, error)
	// Append stores e (e.Version == Version()) and arranges for other
	// instances to hear of it after commit.
	Append(e Entry) error
	// Raw is the store's own transaction (an rbac.Tx), for the domains to
	// bind their rows to.
	Raw() any
}

// Notifier hears of versions committed by any instance sharing the
// database (PostgreSQL LISTEN/NOTIFY).
type Notifier interface {
	// Listen calls notify with each committed version it hears of, and
	// with 0 after every (re)connection. It reconnects by itself, checks
	// its connection's liveness, and returns when ctx is done.
	Listen(ctx context.Context, notify func(version int64)) error
}
