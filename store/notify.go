package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/billingrbac/billingrbac/rbac"
)

// Listener timing.
const (
	// ReconnectDelay is how long the listener waits before reconnecting
	// after losing its PostgreSQL connection; it doubles while connecting
	// fails, up to MaxReconnectDelay.
	ReconnectDelay    = 250 * time.Millisecond
	MaxReconnectDelay = 2 * time.Second
	// DefaultListenerPing is Options.ListenerPing's default: a hung
	// listening connection is dropped within twice this.
	DefaultListenerPing = 5 * time.Second
	// connectTimeout bounds one connection attempt (a server that accepts
	// the socket and then says nothing).
	connectTimeout = 10 * time.Second
)

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

// Listen implements rbac.Notifier with a dedicated connection. After every
// (re)connection it reports version 0 so the caller catches up from the
// change log. The connection is checked for liveness: after
// Options.ListenerPing without a notification it is pinged, and one that
// does not answer within ListenerPing is dropped and made again. A lost
// connection is made again after ReconnectDelay, backing off to
// MaxReconnectDelay while the server cannot be reached; each loss is
// logged to Options.EventLog. Listen returns nil when ctx is done.
func (n notifier) Listen(ctx context.Context, notify func(version int64)) error {
	delay := ReconnectDelay
	for {
		connected, err := n.session(ctx, notify)
		if ctx.Err() != nil {
			return nil
		}
		n.s.sawDeadConn()
		if connected {
			delay = ReconnectDelay
			n.s.events.Warn("billingrbac: listener connection lost, reconnecting", "err", err, "in", delay)
		} else {
			n.s.events.Warn("billingrbac: listener cannot connect, retrying", "err", err, "in", delay)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(delay):
		}
		if !connected {
			delay = min(2*delay, MaxReconnectDelay)
		}
	}
}

// session runs one listening connection until it fails or ctx is done,
// and reports whether it got as far as listening.
func (n notifier) session(ctx context.Context, notify func(int64)) (connected bool, err error) {
	conn, err := n.connect(ctx)
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	ping := n.s.listenerPing
	lctx, cancel := context.WithTimeout(ctx, ping)
	_, err = conn.Exec(lctx, "LISTEN "+pgx.Identifier{n.s.channel}.Sanitize())
	cancel()
	if err != nil {
		return false, fmt.Errorf("listen: %w", err)
	}
	notify(0)
	probe := n.sendProbe(ctx)
	for {
		wctx, cancel := context.WithTimeout(ctx, ping)
		nt, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil && strings.HasPrefix(nt.Payload, probePrefix):
			if probe != "" && nt.Payload == probe {
				probe = ""
				n.s.listenerHealth.Store(&listenerHealth{})
			}
			continue
		case err == nil:
			notify(payloadVersion(nt.Payload))
			continue
		case ctx.Err() != nil:
			return true, ctx.Err()
		case !errors.Is(err, context.DeadlineExceeded) && !pgconn.Timeout(err):
			return true, fmt.Errorf("wait for notification: %w", err)
		}
		if probe != "" {
			n.probeLost(ping)
			probe = ""
		}
		// Silent for ListenerPing: alive, or hung?
		pctx, cancel := context.WithTimeout(ctx, ping)
		err = conn.Ping(pctx)
		cancel()
		if err != nil && ctx.Err() == nil {
			return true, fmt.Errorf("liveness ping: %w", err)
		}
	}
}

// probePrefix starts the payload of the probe notification each new
// listening connection sends itself through the store's pool; version
// payloads are digits, so the two never meet.
const probePrefix = "probe:"

// ErrNotificationsLost is what ListenerHealth wraps when the probe that
// the listener sends itself after connecting did not come back: the
// notifications of other instances do not reach this one (typically a
// transaction-mode pooler such as PgBouncer's pool_mode=transaction
// between the store and PostgreSQL: LISTEN needs a session). The instance
// still catches up every rbac.Options.SyncInterval.
var ErrNotificationsLost = errors.New("notifications do not reach the listener")

// listenerHealth is the outcome of the last probe; err nil: it arrived.
type listenerHealth struct{ err error }

// ListenerHealth reports whether notifications reach this store's
// listener: nil when the probe of its last connection arrived (or none
// was sent yet: no listener, or SQLite), an error wrapping
// ErrNotificationsLost when it did not arrive within
// Options.ListenerPing. The same is logged to Options.EventLog at
// error level, once per connection.
func (s *Store) ListenerHealth() error {
	if h := s.listenerHealth.Load(); h != nil {
		return h.err
	}
	return nil
}

// sendProbe notifies the channel, through the store's pool (another
// server connection than the listener's), with a payload only this
// connection knows, and returns it ("" when sending failed: nothing to
// wait for; a failing database shows elsewhere).
func (n notifier) sendProbe(ctx context.Context) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	payload := probePrefix + hex.EncodeToString(b[:])
	ch := n.s.channel
	if n.s.probeChannel != "" {
		ch = n.s.probeChannel // tests: a probe that cannot arrive
	}
	pctx, cancel := context.WithTimeout(ctx, n.s.listenerPing)
	defer cancel()
	if err := n.s.db.WithContext(pctx).Exec(`SELECT pg_notify(?, ?)`, ch, payload).Error; err != nil {
		return ""
	}
	return payload
}

// probeLost records and logs a probe that did not come back within wait.
func (n notifier) probeLost(wait time.Duration) {
	err := fmt.Errorf("store: listener: the probe notification sent after LISTEN did not arrive within %s; "+
		"LISTEN needs a session-mode connection: is a transaction-mode pooler (PgBouncer pool_mode=transaction) "+
		"between the store and PostgreSQL? Until this is fixed, changes of other instances arrive only by the "+
		"periodic catch-up: %w", wait, ErrNotificationsLost)
	n.s.listenerHealth.Store(&listenerHealth{err: err})
	n.s.events.Error("billingrbac: notifications do not reach the listener", "err", err, "channel", n.s.channel)
}

// connect opens the listening connection, named so operators can find it
// in pg_stat_activity.
func (n notifier) connect(ctx context.Context) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(n.s.dsn)
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams["application_name"] = n.s.listenerName
	n.s.inSchema(cfg)
	cctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	return pgx.ConnectConfig(cctx, cfg)
}

// payloadVersion reads a notification's version; an unknown payload
// reads as 0: catch up anyway.
func payloadVersion(p string) int64 {
	v, err := strconv.ParseInt(p, 10, 64)
	if err != nil {
		return 0
	}
	return v
}
