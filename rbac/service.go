package rbac

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/text/language"
)

// Options configures a Service. The zero value works.
type Options struct {
	// Catalog lists the functions and actions that may be granted. Nil
	// means NewCatalog(): the built-in billing functions.
	Catalog *Catalog
	// DefaultLanguage is the fallback language of localized names and the
	// task language of departments created without one. Und means English.
	DefaultLanguage language.Tag
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives the few operational events (reloads, listener
	// reconnects). Nil discards them.
	Logger *slog.Logger
	// Accounts configures passwords, sign-in and phone numbers; the zero
	// value is the safe default.
	Accounts AccountOptions
	// DecisionLog, when set, receives a structured record of decisions
	// made by Can, Check and Explain (see decisionlog.go for the fields).
	// Nil, the default, logs nothing and costs one nil check.
	DecisionLog *slog.Logger
	// DecisionSampleRate is the fraction of decisions logged, in (0, 1]:
	// 0.01 logs one in a hundred, evenly spread. Zero means every
	// decision. Other values make New fail with ErrInvalid.
	DecisionSampleRate float64
}

// Service is the access-control service: it answers checks from an
// in-memory decision index and makes every administrative change through
// its Store, in one transaction per change. It is safe for concurrent use.
type Service struct {
	store   Store
	catalog *Catalog
	lang    language.Tag
	now     func() time.Time
	log     *slog.Logger
	acct    accounts
	cals    calendarCache   // compiled department calendars, per version
	dlog    *decisionLogger // nil: decision logging off

	snap    atomic.Pointer[snapshot]
	writeMu sync.Mutex // one writer per process; the store serializes processes
	applyMu sync.Mutex // serializes changes to snap
	applied *sync.Cond // broadcast when snap advances (guarded by applyMu)

	closeOnce sync.Once
	closed    atomic.Bool
	stop      context.CancelFunc
	done      chan struct{}
}

// New loads the policy from st and returns a ready Service. The schema must
// have been migrated (see store.Migrate).
func New(ctx context.Context, st Store, opts Options) (*Service, error) {
	s := &Service{
		store:   st,
		catalog: opts.Catalog,
		lang:    opts.DefaultLanguage,
		now:     opts.Now,
		log:     opts.Logger,
		done:    make(chan struct{}),
	}
	if s.catalog == nil {
		s.catalog = NewCatalog()
	}
	if s.lang == language.Und {
		s.lang = language.English
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if err := s.acct.init(opts.Accounts); err != nil {
		return nil, fmt.Errorf("rbac: %w", err)
	}
	dlog, err := newDecisionLogger(opts.DecisionLog, opts.DecisionSampleRate)
	if err != nil {
		return nil, fmt.Errorf("rbac: %w", err)
	}
	s.dlog = dlog
	s.applied = sync.NewCond(&s.applyMu)
	rules, version, err := st.LoadPolicy(ctx)
	if err != nil {
		return nil, fmt.Errorf("rbac: load policy: %w", err)
	}
	s.snap.Store(buildSnapshot(rules, version))
	lctx, stop := context.WithCancel(context.Background())
	s.stop = stop
	if n := notifierOf(st); n != nil {
		go s.listen(lctx, n)
	} else {
		close(s.done)
	}
	return s, nil
}

// Catalog returns the catalog of grantable functions. Register application
// functions on it.
func (s *Service) Catalog() *Catalog { return s.catalog }

// DefaultLanguage returns the fallback language of localized texts.
func (s *Service) DefaultLanguage() language.Tag { return s.lang }

// Version returns the version of the last change applied to this
// instance's decisions.
func (s *Service) Version() int64 { return s.snap.Load().version }

// Close stops listening for other instances' changes. Checks keep working on
// the last state; writes return ErrClosed. Close does not close the Store.
func (s *Service) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.stop()
		<-s.done
		s.applyMu.Lock()
		s.applied.Broadcast()
		s.applyMu.Unlock()
	})
	return nil
}

// errNoChange rolls back a write that turned out to change nothing;
// errDryRun one made under WithDryRun.
var (
	errNoChange = errors.New("no change")
	errDryRun   = errors.New("dry run")
)

// write is the change flow: lock, catch up with other instances, let fn
// validate and stage the change, compute its effect and authorize it (the
// one check every write passes: authorizeEffect), persist rules and the
// change log entry with the effect, commit, then publish the decisions the
// effect was computed on. fn sees the index as of the locked version. If
// fn stages nothing, the transaction rolls back and write returns nil.
// Under WithDryRun everything up to the commit happens, then the
// transaction rolls back and the plan receives the change.
func (s *Service) write(ctx context.Context, fn func(w *txn) error) (Change, error) {
	if s.closed.Load() {
		return Change{}, ErrClosed
	}
	if err := checkReason(reasonFrom(ctx)); err != nil {
		return Change{}, err
	}
	plan := planFrom(ctx)
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	var committed Change
	var next *snapshot
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := s.catchUp(tx); err != nil {
			return err
		}
		w := newTxn(s, tx, ctx)
		if err := fn(w); err != nil {
			return err
		}
		if w.delta.Empty() && !w.touched {
			return errNoChange
		}
		after, eff := w.effectOf()
		w.change.Version = tx.Version()
		w.change.At = s.now().UTC()
		w.change.Policy = w.delta
		w.change.Effect = eff
		if w.change.Reason == "" {
			w.change.Reason = reasonFrom(ctx)
		}
		if plan != nil {
			plan.Change = w.change
		}
		if err := w.authorizeEffect(after, eff); err != nil {
			return err
		}
		if plan != nil {
			return errDryRun
		}
		if !w.delta.Empty() {
			if err := tx.ApplyPolicy(w.delta); err != nil {
				return err
			}
		}
		if err := tx.RecordChange(w.change); err != nil {
			return err
		}
		committed, next = w.change, after
		return nil
	})
	if errors.Is(err, errNoChange) || errors.Is(err, errDryRun) {
		return Change{}, nil
	}
	if err != nil {
		return Change{}, err
	}
	s.publish(committed, next)
	return committed, nil
}

// publish makes a committed change's decisions visible: the snapshot its
// effect was computed on when nothing was applied meanwhile, or the change
// applied again otherwise.
func (s *Service) publish(c Change, next *snapshot) {
	s.applyMu.Lock()
	cur := s.snap.Load()
	if cur.version == c.Version-1 {
		next.version = c.Version
		s.snap.Store(next)
		s.applied.Broadcast()
		s.applyMu.Unlock()
		return
	}
	s.applyMu.Unlock()
	s.applyCommitted([]Change{c})
}

// catchUp brings the index to the version just before tx's, reading what
// other instances committed from the change log inside the lock.
func (s *Service) catchUp(tx Tx) error {
	want := tx.Version() - 1
	cur := s.snap.Load().version
	if cur == want {
		return nil
	}
	if cur < want {
		chs, err := tx.Changes(ChangeQuery{AfterVersion: cur, Limit: int(want - cur)})
		if err != nil {
			return err
		}
		if s.applyCommitted(chs) && s.snap.Load().version == want {
			return nil
		}
	}
	// The log has a gap or the database went back: reload it all.
	rules, err := tx.LoadPolicy()
	if err != nil {
		return err
	}
	s.replace(buildSnapshot(rules, want))
	return nil
}

// applyCommitted applies consecutive committed changes to the index and
// reports whether they all fitted (no gap). Changes at or below the current
// version are skipped.
func (s *Service) applyCommitted(chs []Change) bool {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	cur := s.snap.Load()
	b := newBuilder(cur)
	v := cur.version
	ok := true
	for _, c := range chs {
		if c.Version <= v {
			continue
		}
		if c.Version != v+1 || !c.Policy.valid() {
			ok = false // a gap or an unknown change: the caller reloads
			break
		}
		b.applyDelta(c.Policy)
		v = c.Version
	}
	if v != cur.version {
		next := b.finish()
		next.version = v
		s.snap.Store(next)
		s.applied.Broadcast()
	}
	return ok
}

func (s *Service) replace(next *snapshot) {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	s.snap.Store(next)
	s.applied.Broadcast()
}

// Sync applies the changes other instances committed since this instance's
// version, or reloads the whole policy when the change log has a gap. The
// listener calls it on every notification; call it yourself on a store
// that does not notify.
func (s *Service) Sync(ctx context.Context) error {
	for {
		cur := s.snap.Load().version
		chs, err := s.store.Changes(ctx, ChangeQuery{AfterVersion: cur, Limit: 1000})
		if err != nil {
			return fmt.Errorf("rbac: sync: %w", err)
		}
		if len(chs) == 0 {
			return nil
		}
		if !s.applyCommitted(chs) {
			return s.reload(ctx)
		}
		if len(chs) < 1000 {
			return nil
		}
	}
}

// reload rebuilds the index from the whole stored policy.
func (s *Service) reload(ctx context.Context) error {
	rules, version, err := s.store.LoadPolicy(ctx)
	if err != nil {
		return fmt.Errorf("rbac: reload: %w", err)
	}
	s.log.Info("billingrbac: full policy reload", "version", version, "rules", len(rules))
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	if s.snap.Load().version <= version {
		s.snap.Store(buildSnapshot(rules, version))
		s.applied.Broadcast()
	}
	return nil
}

// WaitFor blocks until this instance has applied at least version v (so a
// request routed here after a change elsewhere sees it), ctx is done or the
// Service is closed.
func (s *Service) WaitFor(ctx context.Context, v int64) error {
	if s.snap.Load().version >= v {
		return nil
	}
	stop := context.AfterFunc(ctx, func() {
		s.applyMu.Lock()
		s.applied.Broadcast()
		s.applyMu.Unlock()
	})
	defer stop()
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	for s.snap.Load().version < v {
		if err := ctx.Err(); err != nil {
			return err
		}
		if s.closed.Load() {
			return ErrClosed
		}
		s.applied.Wait()
	}
	return nil
}
