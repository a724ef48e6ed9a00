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
func Write[S Stage](ctx context.Context, e *Engine, stage func(tx Tx) (S, error)) (S, Entry, error) {
	var zero S
	if e.closed.Load() {
		return zero, Entry{}, ErrClosed
	}
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	var staged S
	var committed Entry
	var locked time.Duration
	var attempt int64 // the version appended, until the commit is known
	err := e.store.Update(ctx, func(tx Tx) error {
		locked = e.mono()
		if err := e.catchUpTx(tx); err != nil {
			return err
		}
		s, err := stage(tx)
		staged = s
		if err != nil {
			return err
		}
		if s.Empty() {
			return ErrNoChange
		}
		aerr := s.Authorize()
		if sink := dryRunOf(ctx); sink != nil {
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
		attempt = en.Version
		committed = en
		return nil
	})
	if err != nil && attempt != 0 {
		// Appended but not committed: another instance may commit that
		// version, and its notification must not be taken for ours.
		e.own.CompareAndSwap(attempt, 0)
		e.Trigger()
	}
	if errors.Is(err, ErrNoChange) {
		return staged, Entry{}, nil
	}
	if err != nil {
		return staged, Entry{}, err
	}
	if !e.apply([]Entry{committed}) {
		// Our own commit cannot be applied (a domain refused it): the
		// snapshots must not pretend otherwise.
		e.Trigger()
		if rerr := e.reload(ctx); rerr != nil {
			e.log.Warn("billingrbac: reload after own commit failed", "err", rerr)
		}
	} else {
		e.confirm(locked)
	}
	return staged, committed, nil
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
