package engine

import (
	"context"
	"errors"
)

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

// Optimist is an optional capability of a Store: a write staged on the
// head this instance has applied and committed in one step, without the
// version lock, if the database is still at that head when it arrives.
// Attempt runs fn on a Tx whose Prev is head (Version head.Version+1) and
// commits what fn appended when fn returns nil. It returns an error
// wrapping ErrStale when the database had moved past head, and one
// wrapping ErrNeedsLock when fn asked the Tx for something only a locked
// transaction does (writing a row, say), whatever fn returned then; in
// both cases nothing was written. Any other error is fn's, or the
// commit's (whose outcome may then be unknown, as with any commit).
type Optimist interface {
	Attempt(ctx context.Context, head Head, fn func(Tx) error) error
}

var (
	// ErrStale: the database was not at the head an attempt was staged
	// on; nothing was written.
	ErrStale = errors.New("engine: the database moved past the head the write was staged on")
	// ErrNeedsLock: the write needs the version lock (a locked
	// transaction); nothing was written.
	ErrNeedsLock = errors.New("engine: the write needs the version lock")
)
