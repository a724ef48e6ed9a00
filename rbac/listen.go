package rbac

import "context"

// Notifier is an optional capability of a Store that several application
// instances share: it hears of versions committed by any of them. The
// PostgreSQL store implements it with LISTEN/NOTIFY.
type Notifier interface {
	// Listen calls notify with each committed version it hears of, and
	// with 0 after every (re)connection so the caller catches up on what it
	// may have missed. It reconnects by itself (also when a liveness check
	// of its connection fails) and returns when ctx is done. The Service
	// runs one listener for every domain attached to it.
	Listen(ctx context.Context, notify func(version int64)) error
}

// NotifierSource is implemented by a Store that can hand out a Notifier
// when, and only when, its database is shared (PostgreSQL, not SQLite).
type NotifierSource interface {
	Notifier() Notifier
}

func notifierOf(st Store) Notifier {
	if ns, ok := st.(NotifierSource); ok {
		return ns.Notifier()
	}
	if n, ok := st.(Notifier); ok {
		return n
	}
	return nil
}
