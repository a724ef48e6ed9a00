package engine

import (
	"context"
	"errors"
	"time"
)

// Write runs one change through the flow: lock, catch up every domain,
// stage (the domain validates, authorizes its actor against snapshots that
// are now current, writes its rows), the domain's pre-commit Authorize,
// Persist its rules, append the chained entry, commit, apply to every
// domain. stage sees the snapshots as of the locked version. When the
// stage is Empty or stage returns ErrNoChange, the transaction rolls back
// and Write returns the stage and a zero Entry with a nil error. Under
// WithDryRun, the entry goes to the sink after Authorize (refused or not),
// the transaction rolls back and Write returns ErrDryRun when Authorize
// passed, its error otherwise.
//
// Under WithAttempt, a store that is an Optimist is first asked to commit
// the change staged on this instance's head (one statement on PostgreSQL);
// when the database moved, or the change needs the lock, Write runs the
// locked flow above. Both paths stage, authorize and chain the entry the
// same way (writer.run).
func Write[S Stage](ctx context.Context, e *Engine, stage func(tx Tx) (S, error)) (S, Entry, error) {
	var zero S
	if e.closed.Load() {
		return zero, Entry{}, ErrClosed
	}
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	w := writer[S]{e: e, ctx: ctx, stage: stage}
	err := w.optimistic()
	if errors.Is(err, errLock) {
		err = e.store.Update(ctx, func(tx Tx) error { return w.run(tx, true) })
	}
	if err != nil && w.attempt != 0 {
		// Appended but not committed: another instance may commit that
		// version, and its notification must not be taken for ours.
		e.own.CompareAndSwap(w.attempt, 0)
		e.Trigger()
	}
	if errors.Is(err, ErrNoChange) {
		return w.staged, Entry{}, nil
	}
	if err != nil {
		return w.staged, Entry{}, err
	}
	if !e.apply([]Entry{w.committed}) {
		// Our own commit cannot be applied (a domain refused it): the
		// snapshots must not pretend otherwise.
		e.Trigger()
		if rerr := e.reload(ctx); rerr != nil {
			e.log.Warn("billingrbac: reload after own commit failed", "err", rerr)
		}
	} else {
		e.confirm(w.locked)
	}
	return w.staged, w.committed, nil
}

// writer is one Write: its staging function and what it staged.
type writer[S Stage] struct {
	e         *Engine
	ctx       context.Context
	stage     func(tx Tx) (S, error)
	staged    S
	committed Entry
	locked    time.Duration // when the attempt or the lock started
	attempt   int64         // the version appended, until the commit is known
}

// errLock sends a Write to the locked path.
var errLock = errors.New("engine: take the lock")

// optimistic tries the write on this instance's head without the lock,
// when the store can (Optimist) and the write is not a dry run. It
// returns errLock when the locked path must decide: the database moved
// (ErrStale), the write needs the lock (ErrNeedsLock), or the stage
// refused the change or found nothing to change while the database's
// head is not this instance's (its decision was taken on a snapshot the
// database has left; the locked path decides again, caught up).
func (w *writer[S]) optimistic() error {
	o, ok := w.e.store.(Optimist)
	if !ok || dryRunOf(w.ctx) != nil || w.ctx.Value(attemptKey{}) == nil {
		return errLock
	}
	head := w.e.Head()
	err := o.Attempt(w.ctx, head, func(tx Tx) error { return w.run(tx, false) })
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrStale) || errors.Is(err, ErrNeedsLock):
		if w.attempt != 0 {
			// The listener took the notification of that version for
			// ours and dropped it: whatever the locked path does (it
			// may fail before catching up), the instance must catch
			// up on its own.
			w.e.own.CompareAndSwap(w.attempt, 0)
			w.attempt = 0
			w.e.Trigger()
		}
		var zero S
		w.staged = zero
		return errLock
	case w.attempt != 0:
		return err // the commit failed: its outcome may be unknown
	}
	// The stage refused or changed nothing, on head: that stands only if
	// the database is still there.
	if hr, ok := w.e.store.(HeadReader); ok {
		if h, herr := hr.LastHead(w.ctx); herr == nil && h == head {
			return err
		}
	}
	return errLock
}

// run stages, authorizes and appends the change in tx; catchUp (the
// locked path) first brings every domain to the version tx locked.
func (w *writer[S]) run(tx Tx, catchUp bool) error {
	e := w.e
	w.locked = e.mono()
	if catchUp {
		if err := e.catchUpTx(tx); err != nil {
			return err
		}
	}
	s, err := w.stage(tx)
	w.staged = s
	if err != nil {
		return err
	}
	if s.Empty() {
		return ErrNoChange
	}
	aerr := s.Authorize()
	if sink := dryRunOf(w.ctx); sink != nil {
		en := s.Entry()
		en.Version = tx.Version()
		en.At = e.now()
		en.normalize()
		sink(en)
		if aerr == nil {
			return ErrDryRun
		}
	}
	if aerr != nil {
		return aerr
	}
	if err := s.Persist(tx); err != nil {
		return err
	}
	en := s.Entry()
	en.Version = tx.Version()
	en.At = e.now()
	en.normalize()
	en.Hash = Chain(tx.Prev().Hash, en)
	if err := tx.Append(en); err != nil {
		return err
	}
	e.own.Store(en.Version) // its notification triggers no catch-up
	w.attempt = en.Version
	w.committed = en
	return nil
}

type attemptKey struct{}

// WithAttempt returns a context under which Write first tries the change
// on the instance's head without the lock (Optimist). A domain asks for
// it for changes that only change rules: a change that writes rows is
// refused by the optimistic transaction and staged again under the lock,
// which costs its reads twice.
func WithAttempt(ctx context.Context) context.Context {
	return context.WithValue(ctx, attemptKey{}, true)
}

// ErrDryRun is returned by Write under WithDryRun when the staged change
// passed Authorize: it was rolled back instead of committed.
var ErrDryRun = errors.New("engine: dry run")

type dryRunKey struct{}

// WithDryRun returns a context under which Write, for every domain, stages
// the change and runs its Authorize hook, hands sink the entry it would
// append (Version and At set, no Hash; also when Authorize refused it) and
// rolls back. rbac.WithDryRun is this for the public API.
func WithDryRun(ctx context.Context, sink func(Entry)) context.Context {
	return context.WithValue(ctx, dryRunKey{}, sink)
}

func dryRunOf(ctx context.Context) func(Entry) {
	f, _ := ctx.Value(dryRunKey{}).(func(Entry))
	return f
}
