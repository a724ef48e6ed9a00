package rbac

import (
	"context"
	"time"
)

// Notifier is an optional capability of a Store that several application
// instances share: it hears of versions committed by any of them. The
// PostgreSQL store implements it with LISTEN/NOTIFY.
type Notifier interface {
	// Listen calls notify with each committed version it hears of, and
	// with 0 after every (re)connection so the caller catches up on what it
	// may have missed. It reconnects by itself and returns when ctx is done.
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

// listen runs for the Service's lifetime on a store that notifies, applying
// other instances' changes from the change log.
func (s *Service) listen(ctx context.Context, n Notifier) {
	defer close(s.done)
	for ctx.Err() == nil {
		err := n.Listen(ctx, func(v int64) {
			if v != 0 && v <= s.Version() {
				return
			}
			if err := s.Sync(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("billingrbac: sync after notification failed", "err", err)
			}
		})
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("billingrbac: listener stopped, restarting", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}
