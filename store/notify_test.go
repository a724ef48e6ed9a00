package store_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/store"
)

func TestChannelNames(t *testing.T) {
	for schema, want := range map[string]string{
		"":       "billingrbac",
		"public": "billingrbac",
		"t_ab12": "billingrbac_t_ab12",
	} {
		if got := store.ChannelFor(schema); got != want {
			t.Errorf("ChannelFor(%q) = %q, want %q", schema, got, want)
		}
	}
	long := strings.Repeat("s", 60)
	got := store.ChannelFor(long)
	if len(got) > 63 || !strings.HasPrefix(got, "billingrbac_") || got == store.ChannelFor(long+"x") {
		t.Errorf("ChannelFor(60 characters) = %q: want a distinct name within 63 bytes", got)
	}
	// Each test schema gets its own channel; SQLite has none.
	for _, b := range testdb.Backends(t) {
		st := testdb.New(t, b)
		switch {
		case b == testdb.SQLite && st.Channel() != "":
			t.Errorf("SQLite store has channel %q", st.Channel())
		case b == testdb.Postgres && !strings.HasPrefix(st.Channel(), "billingrbac_t_"):
			t.Errorf("PostgreSQL test store has channel %q, want one per schema", st.Channel())
		}
	}
}

// events collects what a store logs.
type events struct {
	mu   sync.Mutex
	msgs []string
}

func (e *events) Enabled(context.Context, slog.Level) bool { return true }
func (e *events) Handle(_ context.Context, r slog.Record) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.msgs = append(e.msgs, r.Message)
	return nil
}
func (e *events) WithAttrs([]slog.Attr) slog.Handler { return e }
func (e *events) WithGroup(string) slog.Handler      { return e }
func (e *events) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.msgs)
}

// TestListenerRecovers: the listener reports 0 (catch up) after every
// new connection, whatever ended the last one: a hung backend that
// answers nothing (found by the liveness ping), a terminated session, a
// server restart; it then delivers notifications again, and logs each
// loss.
func TestListenerRecovers(t *testing.T) {
	c := testdb.NewCluster(t)
	ctx := context.Background()
	const ping = 200 * time.Millisecond
	ev := &events{}
	name := "listener-under-test"
	st := testdb.OpenWith(t, c.NewDSN(t), store.Options{ListenerName: name, ListenerPing: ping, EventLog: slog.New(ev)})
	got := make(chan int64, 100)
	lctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- st.Notifier().Listen(lctx, func(v int64) { got <- v }) }()
	t.Cleanup(func() {
		stop()
		require.NoError(t, <-done)
	})
	// next waits for the next report, within a bound well above the
	// documented one (a hung connection is dropped within 2×ping).
	next := func(what string) int64 {
		t.Helper()
		select {
		case v := <-got:
			return v
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no report from the listener within 10 s", what)
			return 0
		}
	}
	require.Equal(t, int64(0), next("connect"))
	notifyAndExpect := func(what string) {
		t.Helper()
		require.NoError(t, st.DB().Exec(`SELECT pg_notify(?, '42')`, st.Channel()).Error)
		require.Equal(t, int64(42), next(what+": notification"))
	}
	notifyAndExpect("first connection")

	var hung int
	faults := []struct {
		name   string
		inject func()
	}{
		{"hung backend", func() {
			pids := c.BackendPIDs(name)
			require.Len(t, pids, 1)
			hung = pids[0]
			c.Pause(hung)
		}},
		{"terminated session", func() { require.Equal(t, 1, c.Terminate(name)) }},
		{"server restart", c.Restart},
	}
	for _, f := range faults {
		before := ev.count()
		start := time.Now()
		f.inject()
		require.Equal(t, int64(0), next(f.name+": reconnect"))
		t.Logf("%s: listener back and caught up after %v", f.name, time.Since(start).Round(time.Millisecond))
		require.Greater(t, ev.count(), before, "%s: the loss was not logged", f.name)
		notifyAndExpect(f.name)
		if hung != 0 {
			// Let the abandoned backend go before the next fault.
			c.Resume(hung)
			require.Eventually(t, func() bool { return len(c.BackendPIDs(name)) == 1 }, 10*time.Second, 5*time.Millisecond)
			hung = 0
		}
	}
}
