package engine

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// memStore is an in-memory log with a version lock, for the engine's own
// tests: its state is a set of strings each entry adds (Rules: the string).
// It can fail reads on demand and be rolled back like a restored database.
type memStore struct {
	mu       sync.Mutex // the version lock
	dmu      sync.Mutex // guards log and fail
	log      []Entry
	failNext atomic.Int64 // reads to fail
	reads    atomic.Int64
}

var errDown = errors.New("database down")

func (m *memStore) Update(ctx context.Context, fn func(Tx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dmu.Lock()
	log := slices.Clone(m.log)
	m.dmu.Unlock()
	tx := &memTx{m: m, log: log}
	if err := fn(tx); err != nil {
		return err
	}
	m.dmu.Lock()
	m.log = tx.log
	m.dmu.Unlock()
	return nil
}

func (m *memStore) Entries(ctx context.Context, after int64, limit int) ([]Entry, error) {
	m.reads.Add(1)
	if m.failNext.Load() > 0 {
		m.failNext.Add(-1)
		return nil, errDown
	}
	m.dmu.Lock()
	defer m.dmu.Unlock()
	return entriesAfter(m.log, after, limit), nil
}

func entriesAfter(log []Entry, after int64, limit int) []Entry {
	var out []Entry
	for _, e := range log {
		if e.Version > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out
}

// rollback drops every entry after v, as a restore of an older copy does.
func (m *memStore) rollback(v int64) {
	m.dmu.Lock()
	defer m.dmu.Unlock()
	m.log = slices.DeleteFunc(m.log, func(e Entry) bool { return e.Version > v })
}

type memTx struct {
	m   *memStore
	log []Entry
}

func (t *memTx) Version() int64 { return int64(len(t.log)) + 1 }
func (t *memTx) Prev() Head {
	if len(t.log) == 0 {
		return Head{}
	}
	l := t.log[len(t.log)-1]
	return Head{l.Version, l.Hash}
}
func (t *memTx) Entries(after int64, limit int) ([]Entry, error) {
	return entriesAfter(t.log, after, limit), nil
}
func (t *memTx) Append(e Entry) error { t.log = append(t.log, e); return nil }
func (t *memTx) Raw() any             { return t }

// setDomain keeps the set of strings the log's entries add.
type setDomain struct {
	mu    sync.Mutex
	set   map[string]bool
	loads int
}

func (d *setDomain) Name() string { return "set" }
func (d *setDomain) has(s string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.set[s]
}
func (d *setDomain) Apply(es []Entry, _ int64) (func(), error) {
	next := map[string]bool{}
	d.mu.Lock()
	for k := range d.set {
		next[k] = true
	}
	d.mu.Unlock()
	for _, e := range es {
		var s string
		if err := json.Unmarshal(e.Rules, &s); err != nil {
			return nil, err
		}
		next[s] = true
	}
	return func() { d.mu.Lock(); d.set = next; d.mu.Unlock() }, nil
}
func (d *setDomain) Load(tx Tx) (func(), error) {
	next := map[string]bool{}
	for _, e := range tx.(*memTx).log {
		var s string
		_ = json.Unmarshal(e.Rules, &s)
		next[s] = true
	}
	return func() { d.mu.Lock(); d.set = next; d.loads++; d.mu.Unlock() }, nil
}

type addStage struct{ s string }

func (a addStage) Empty() bool         { return false }
func (a addStage) Authorize() error    { return nil }
func (a addStage) Persist(tx Tx) error { return nil }
func (a addStage) Entry() Entry {
	b, _ := json.Marshal(a.s)
	return Entry{Domain: "set", Op: "add", Target: a.s, Rules: b}
}

func add(t *testing.T, e *Engine, s string) Entry {
	t.Helper()
	_, en, err := Write(context.Background(), e, func(Tx) (addStage, error) { return addStage{s}, nil })
	require.NoError(t, err)
	return en
}

func newPair(t *testing.T, opts Options) (*memStore, *Engine, *setDomain, *Engine, *setDomain) {
	t.Helper()
	m := &memStore{}
	da, db := &setDomain{}, &setDomain{}
	a, b := New(m, da, Head{}, Options{}), New(m, db, Head{}, opts)
	b.Start()
	t.Cleanup(b.Close)
	return m, a, da, b, db
}

func TestChainIdentifiesHistory(t *testing.T) {
	e := Entry{Version: 2, Domain: "staff", At: time.UnixMicro(5), Op: "x", Rules: json.RawMessage(`{}`)}
	e.normalize()
	h := Chain("a", e)
	require.NotEqual(t, h, Chain("b", e), "another history")
	f := e
	f.Target = "y"
	require.NotEqual(t, h, Chain("a", f), "another change")
	f = e
	f.Actor = Actor{Kind: ActorStaff, ID: 1}
	require.NotEqual(t, h, Chain("a", f), "another actor")
	require.Equal(t, h, Chain("a", e))
}

// A change that takes a version this instance already applied (the
// database lost it and another change was committed under its number) is
// detected by its hash and the instance reloads.
func TestRolledBackLogIsDetected(t *testing.T) {
	m, a, _, b, db := newPair(t, Options{})
	add(t, a, "one")
	add(t, a, "revoked-later") // v2
	require.NoError(t, b.Sync(context.Background()))
	require.True(t, db.has("revoked-later"))
	m.rollback(1) // the database lost v2
	// A fresh instance writes a different v2.
	a2 := New(m, &setDomain{}, Head{}, Options{})
	require.NoError(t, a2.reload(context.Background()))
	en := add(t, a2, "other")
	require.EqualValues(t, 2, en.Version)
	require.Equal(t, int64(2), b.Version(), "same version number")
	require.NoError(t, b.Sync(context.Background()))
	require.False(t, db.has("revoked-later"), "B still holds a change the database lost")
	require.True(t, db.has("other"))
	require.Equal(t, en.Hash, b.Head().Hash)

	// The database going back below the instance's version reloads too.
	m.rollback(1)
	require.NoError(t, b.Sync(context.Background()))
	require.False(t, db.has("other"))
	require.EqualValues(t, 1, b.Version())
}

// A catch-up that fails is retried, with backoff, until it succeeds: a
// notification is never dropped.
func TestCatchUpRetriedUntilItSucceeds(t *testing.T) {
	m, a, _, b, db := newPair(t, Options{SyncInterval: time.Hour}) // the loop runs, the tick does not
	add(t, a, "x")
	m.failNext.Store(3)
	b.Trigger()
	require.Eventually(t, func() bool { return db.has("x") }, 10*time.Second, time.Millisecond)
	require.GreaterOrEqual(t, m.reads.Load(), int64(4))
}

// With no notification at all, the periodic catch-up is the safety net.
func TestPeriodicCatchUp(t *testing.T) {
	_, a, _, _, db := newPair(t, Options{SyncInterval: 5 * time.Millisecond})
	add(t, a, "y")
	require.Eventually(t, func() bool { return db.has("y") }, 10*time.Second, time.Millisecond)
}

// Past MaxStaleness without confirmation, Stale turns on; a successful
// catch-up turns it off again.
func TestStaleAfterMaxStaleness(t *testing.T) {
	m, _, _, b, _ := newPair(t, Options{MaxStaleness: 40 * time.Millisecond})
	require.False(t, b.Stale())
	m.failNext.Store(1 << 40) // the database is unreachable from now on
	require.Eventually(t, b.Stale, 10*time.Second, time.Millisecond)
	require.Greater(t, b.Lag(), 40*time.Millisecond)
	m.failNext.Store(0)
	require.Eventually(t, func() bool { return !b.Stale() }, 10*time.Second, time.Millisecond)
	require.Less(t, b.Lag(), time.Second)
}

// A gap in what the instance reads (an entry it cannot place) reloads
// instead of applying around it.
func TestGapReloads(t *testing.T) {
	m, a, _, b, db := newPair(t, Options{SyncInterval: -1})
	for i := range 3 {
		add(t, a, strconv.Itoa(i))
	}
	m.dmu.Lock()
	m.log = slices.Delete(m.log, 1, 2) // entry 2 vanished
	m.dmu.Unlock()
	require.NoError(t, b.Sync(context.Background()))
	require.Equal(t, 1, db.loads)
	require.True(t, db.has("2") && db.has("0") && !db.has("1"))
}

func TestWaitForAndClose(t *testing.T) {
	_, a, _, b, _ := newPair(t, Options{SyncInterval: time.Millisecond})
	en := add(t, a, "z")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, b.WaitFor(ctx, en.Version))
	done := make(chan error)
	go func() { done <- b.WaitFor(context.Background(), 99) }()
	b.Close()
	require.ErrorIs(t, <-done, ErrClosed)
	_, _, err := Write(context.Background(), b, func(Tx) (addStage, error) { return addStage{"w"}, nil })
	require.ErrorIs(t, err, ErrClosed)
}
