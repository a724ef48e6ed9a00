package store_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/store"
)

// The listener sends itself a probe notification through the store's
// pool after every LISTEN: when it comes back, ListenerHealth is nil;
// when it does not (here: sent where it cannot arrive, as a
// transaction-mode pooler loses it), ListenerHealth wraps
// ErrNotificationsLost and the EventLog says so once, at error level,
// while the listener goes on delivering what does arrive.
func TestListenerProbe(t *testing.T) {
	if !slices.Contains(testdb.Backends(t), testdb.Postgres) {
		t.Skip("PostgreSQL only: " + testdb.EnvPostgres + " is not set")
	}
	for _, lose := range []bool{false, true} {
		t.Run(map[bool]string{false: "arrives", true: "lost"}[lose], func(t *testing.T) {
			const ping = 300 * time.Millisecond
			ev := &events{}
			st := testdb.OpenWith(t, testdb.DSN(t, testdb.Postgres), store.Options{ListenerPing: ping, EventLog: slog.New(ev)})
			require.NoError(t, st.Migrate(context.Background()))
			if lose {
				st.LoseProbesForTest()
			}
			got := make(chan int64, 16)
			ctx, stop := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- st.Notifier().Listen(ctx, func(v int64) { got <- v }) }()
			t.Cleanup(func() { stop(); require.NoError(t, <-done) })
			require.Equal(t, int64(0), <-got)

			if !lose {
				// A notification after the probe is delivered; by then the
				// probe (sent before it, same channel) has arrived.
				require.NoError(t, st.DB().Exec(`SELECT pg_notify(?, '7')`, st.Channel()).Error)
				require.Equal(t, int64(7), <-got, "the probe is never delivered as a version")
				require.Eventually(t, func() bool { return st.ListenerHealth() == nil && ev.count() == 0 }, 10*time.Second, 10*time.Millisecond)
				time.Sleep(3 * ping) // past the probe's deadline: still healthy
				assert.NoError(t, st.ListenerHealth())
				assert.Zero(t, ev.count())
				return
			}
			require.Eventually(t, func() bool { return st.ListenerHealth() != nil }, 10*time.Second, 10*time.Millisecond)
			assert.ErrorIs(t, st.ListenerHealth(), store.ErrNotificationsLost)
			assert.Contains(t, st.ListenerHealth().Error(), "pool_mode=transaction")
			require.Equal(t, 1, ev.count(), "logged once")
			require.NoError(t, st.DB().Exec(`SELECT pg_notify(?, '8')`, st.Channel()).Error)
			assert.Equal(t, int64(8), <-got, "what arrives is still delivered")
		})
	}
}
