package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"

	"github.com/billingrbac/billingrbac/rbac"
)

// ReconnectDelay is how long the listener waits before reconnecting after
// losing its PostgreSQL connection.
const ReconnectDelay = 250 * time.Millisecond

// notifier listens on PostgreSQL for versions committed by any instance.
type notifier struct{ s *Store }

// Notifier returns the store's rbac.Notifier on PostgreSQL, nil on SQLite
// (one process: nothing to listen to).
func (s *Store) Notifier() rbac.Notifier {
	if s.dialect != dialectPostgres {
		return nil
	}
	return notifier{s}
}

// Listen implements rbac.Notifier with a dedicated connection (pgxlisten),
// reconnecting after ReconnectDelay whenever the connection is lost. After
// every (re)connection it reports version 0 so the caller catches up from
// the change log.
func (n notifier) Listen(ctx context.Context, notify func(version int64)) error {
	l := &pgxlisten.Listener{
		Connect:        n.connect,
		ReconnectDelay: ReconnectDelay,
		LogError:       func(context.Context, error) {},
	}
	l.Handle(n.s.channel, handler{notify})
	err := l.Listen(ctx)
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("store: listen: %w", err)
}

// connect opens the listening connection, named so operators can find it
// in pg_stat_activity.
func (n notifier) connect(ctx context.Context) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(n.s.dsn)
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams["application_name"] = n.s.listenerName
	return pgx.ConnectConfig(ctx, cfg)
}

type handler struct{ notify func(int64) }

func (h handler) HandleNotification(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
	v, err := strconv.ParseInt(n.Payload, 10, 64)
	if err != nil {
		v = 0 // unknown payload: catch up anyway
	}
	h.notify(v)
	return nil
}

// HandleBacklog runs after LISTEN on every (re)connection.
func (h handler) HandleBacklog(context.Context, string, *pgx.Conn) error {
	h.notify(0)
	return nil
}
