package engine

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of Options.
const (
	// DefaultSyncInterval is how often an instance on a shared database
	// catches up even when it heard of no change: the bound on staleness
	// when notifications are lost without the listener noticing.
	DefaultSyncInterval = 5 * time.Second
	// maxBackoff caps the delay between retries of a failed catch-up.
	maxBackoff = 2 * time.Second
	// DefaultCatchUpTimeout bounds one background catch-up: a pooled
	// connection that hangs (socket open, nothing answered) would
	// otherwise stop every later catch-up, the periodic one included.
	DefaultCatchUpTimeout = 10 * time.Second
	// maxCatchUpTimeout caps the doubling of the timeout while catch-ups
	// time out, so a reload larger than the timeout still completes.
	maxCatchUpTimeout = 5 * time.Minute
	minBackoff        = 25 * time.Millisecond
	// batch is how many entries one catch-up query reads.
	batch = 1000
	// maxTxCatchUp is the most entries a writer applies inside the lock
	// before it reloads instead.
	maxTxCatchUp = 10000
)

// ErrClosed is returned by writes after Close.
var ErrClosed = errors.New("engine: closed")

// ErrNoChange may be returned by a staging function: the write rolls back
// and Write returns it (callers treat it as success without a change).
var ErrNoChange = errors.New("engine: no change")

// Options configures an Engine. The zero value works.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives reloads and failed catch-ups; nil discards them.
	Logger *slog.Logger
	// Notifier, when set, tells of other instances' commits; the engine
	// listens for the whole of its life.
	Notifier Notifier
	// SyncInterval is the period of the safety-net catch-up. Zero means
	// DefaultSyncInterval when Notifier is set (a shared database) and no
	// periodic catch-up otherwise; negative turns it off.
	SyncInterval time.Duration
	// MaxStaleness, when positive, makes Stale report true once the
	// instance has not confirmed it is current for that long; the
	// periodic catch-up then runs at least every MaxStaleness/2.
	MaxStaleness time.Duration
	// CatchUpTimeout bounds one background catch-up; it doubles while
	// catch-ups time out (up to 5 minutes) and returns to its value after
	// one succeeds. Zero or negative means DefaultCatchUpTimeout.
	CatchUpTimeout time.Duration
	// OnCatchUp, when set, is called as every catch-up starts (Sync, a
	// notification, the periodic tick, a retry), with the context it will
	// run in; the catch-up runs in the context returned, and calls the
	// func returned with the entries it applied (none for a reload) and
	// its outcome. For telemetry.
	OnCatchUp func(ctx context.Context) (context.Context, func(applied []Entry, reloaded bool, err error))
}

// Engine runs the change flow for the domains attached to it. It is safe
// for concurrent use.
type Engine struct {
	store  Store
	now    func() time.Time
	log    *slog.Logger
	notify Notifier
	onSync func(context.Context) (context.Context, func([]Entry, bool, error))
	every  time.Duration // periodic catch-up; 0: none
	maxAge time.Duration // 0: staleness never fails checks
	limit  time.Duration // of one background catch-up

	writeMu sync.Mutex // one writer per process; the store serializes processes
	applyMu sync.Mutex // serializes changes to head and the domains' snapshots
	applied *sync.Cond // broadcast when head moves (guarded by applyMu)
	head    atomic.Pointer[Head]
	domains []Domain     // guarded by applyMu
	own     atomic.Int64 // the version of this instance's last commit

	base      time.Time    // origin of the monotonic clock of confirmations
	confirmed atomic.Int64 // nanoseconds after base of the last confirmation of being current
	stale     atomic.Bool
	trigger   chan struct{}

	subMu sync.Mutex
	subs  map[subscriber]struct{} // guarded by subMu

	closeOnce sync.Once
	closed    atomic.Bool
	stop      context.CancelFunc
	wg        sync.WaitGroup
}

// New returns an engine over st whose first domain d has been loaded (and
// published) by the caller as of head. Start its background work with
// Start.
func New(st Store, d Domain, head Head, opts Options) *Engine {
	e := &Engine{store: st, now: opts.Now, log: opts.Logger, notify: opts.Notifier, onSync: opts.OnCatchUp,
		domains: []Domain{d}, trigger: make(chan struct{}, 1), subs: map[subscriber]struct{}{}}
	if e.now == nil {
		e.now = time.Now
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	e.limit = opts.CatchUpTimeout
	if e.limit <= 0 {
		e.limit = DefaultCatchUpTimeout
	}
	e.every = opts.SyncInterval
	if e.every == 0 && e.notify != nil {
		e.every = DefaultSyncInterval
	}
	if e.every < 0 {
		e.every = 0
	}
	if opts.MaxStaleness > 0 {
		e.maxAge = opts.MaxStaleness
		if e.every == 0 || e.every > e.maxAge/2 {
			e.every = max(e.maxAge/2, time.Millisecond)
		}
	}
	e.applied = sync.NewCond(&e.applyMu)
	e.head.Store(&head)
	e.base = time.Now()
	e.confirm(e.mono())
	e.stop = func() {}
	return e
}

// Start launches the listener, the catch-up loop and the staleness
// watchdog, as the options ask. Close stops them.
func (e *Engine) Start() {
	if e.notify == nil && e.every == 0 {
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	e.stop = stop
	e.wg.Add(1)
	go e.run(ctx)
	if e.notify != nil {
		e.wg.Add(1)
		go e.listen(ctx)
	}
	if e.maxAge > 0 {
		e.wg.Add(1)
		go e.watch(ctx)
	}
}

// Close stops the background work and wakes every WaitFor. Writes return
// ErrClosed afterwards; snapshots keep answering.
func (e *Engine) Close() {
	e.closeOnce.Do(func() {
		e.closed.Store(true)
		e.stop()
		e.wg.Wait()
		e.applyMu.Lock()
		e.applied.Broadcast()
		e.applyMu.Unlock()
		e.closeSubscriptions()
	})
}

// Closed reports whether Close was called.
func (e *Engine) Closed() bool { return e.closed.Load() }

// Head returns the last entry applied to this instance's snapshots.
func (e *Engine) Head() Head { return *e.head.Load() }

// Version returns the version of the last entry applied here.
func (e *Engine) Version() int64 { return e.head.Load().Version }

// WaitFor blocks until this instance has applied at least version v, ctx
// is done (its error) or the engine is closed (ErrClosed).
func (e *Engine) WaitFor(ctx context.Context, v int64) error {
	if e.Version() >= v {
		return nil
	}
	stop := context.AfterFunc(ctx, func() {
		e.applyMu.Lock()
		e.applied.Broadcast()
		e.applyMu.Unlock()
	})
	defer stop()
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	for e.Version() < v {
		if err := ctx.Err(); err != nil {
			return err
		}
		if e.closed.Load() {
			return ErrClosed
		}
		e.applied.Wait()
	}
	return nil
}

// Lag returns how long ago this instance last confirmed that it had
// applied everything the database had committed (wall time, not the
// injectable clock).
func (e *Engine) Lag() time.Duration {
	return max(e.mono()-time.Duration(e.confirmed.Load()), 0)
}

// mono is the monotonic time since the engine was made.
func (e *Engine) mono() time.Duration { return time.Since(e.base) }

// Stale reports whether Options.MaxStaleness is set and passed since the
// last confirmation: one atomic load, for the hot path of checks.
func (e *Engine) Stale() bool { return e.stale.Load() }

// confirm records that the database held nothing newer than the applied
// head at monotonic time t.
func (e *Engine) confirm(t time.Duration) {
	n := int64(t)
	for {
		old := e.confirmed.Load()
		if old >= n || e.confirmed.CompareAndSwap(old, n) {
			break
		}
	}
	if e.stale.Load() {
		e.stale.Store(false)
	}
}

// Sync catches up now: it applies what other instances committed since
// this one's version, or reloads when the log diverged; then it asks the
// Verifier domains whether their stored state moved outside the log.
func (e *Engine) Sync(ctx context.Context) error {
	if err := e.catchUp(ctx); err != nil {
		return err
	}
	return e.verify(ctx)
}

// Trigger asks the background loop for a catch-up soon (coalesced).
func (e *Engine) Trigger() {
	select {
	case e.trigger <- struct{}{}:
	default:
	}
}

// Attach adds domain d: its state is loaded inside the version lock, with
// every other domain caught up to the same version, and it is kept
// current from then on.
func (e *Engine) Attach(ctx context.Context, d Domain) error {
	err := e.store.Update(ctx, func(tx Tx) error {
		if err := e.catchUpTx(tx); err != nil {
			return err
		}
		pub, err := d.Load(tx)
		if err != nil {
			return err
		}
		e.applyMu.Lock()
		defer e.applyMu.Unlock()
		if *e.head.Load() != tx.Prev() {
			// The listener moved past the lock's view: impossible while we
			// hold the lock, but never publish a mismatched snapshot.
			return errors.New("engine: attach: head moved while locked")
		}
		pub()
		e.domains = append(e.domains, d)
		return errRollback
	})
	if errors.Is(err, errRollback) {
		return nil
	}
	return err
}

// Detach stops keeping d current.
func (e *Engine) Detach(d Domain) {
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	e.domains = slices.DeleteFunc(e.domains, func(x Domain) bool { return x == d })
}

// errRollback ends a read done inside the lock without committing.
var errRollback = errors.New("engine: rollback")
