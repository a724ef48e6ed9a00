package rbac

import (
	"context"
	"errors"
	"fmt"

	"github.com/billingrbac/billingrbac/internal/engine"
)

// OptimisticStore is an optional capability of a Store (package store's
// has it on PostgreSQL): a write staged on the version this instance has
// applied, committed in one step, without the version lock, if the
// database is still at that version when it arrives. The Service tries
// the writes that only change rules (grants and revocations, department
// memberships, a department's permissions) this way first, and takes
// Update's locked path when the store answers ErrHeadMoved or
// ErrNeedsLock; it also takes it when a
// write staged this way was refused, or changed nothing, and the log's
// head (LogHeadStore) is no longer the version it was decided on. Both
// paths stage, authorize and chain the change the same way.
type OptimisticStore interface {
	// Attempt runs fn on a Tx that may hold no lock, whose Version is
	// version+1 and whose PrevHash is prevHash, and, when fn returns nil,
	// commits what fn wrote and recorded only if the last committed change
	// is still version with hash prevHash. It returns an error wrapping
	// ErrHeadMoved when it was not, and one wrapping ErrNeedsLock when fn
	// asked the Tx for something only Update's transaction can do,
	// whatever fn returned then; nothing is written in either case.
	Attempt(ctx context.Context, version int64, prevHash string, fn func(Tx) error) error
}

var (
	// ErrHeadMoved is returned by an OptimisticStore's Attempt when the
	// change log had moved past the version the write was staged on;
	// nothing was written.
	ErrHeadMoved = errors.New("rbac: the change log moved past the version the write was staged on")
	// ErrNeedsLock is returned by an OptimisticStore's Attempt (and by the
	// methods of its Tx) when the write needs Update's locked transaction;
	// nothing was written.
	ErrNeedsLock = errors.New("rbac: the write needs the store's version lock")
)

// Attempt implements engine.Optimist.
func (e engineStore) Attempt(ctx context.Context, head engine.Head, fn func(engine.Tx) error) error {
	o, ok := e.st.(OptimisticStore)
	if !ok {
		return engine.ErrNeedsLock
	}
	err := o.Attempt(ctx, head.Version, head.Hash, func(tx Tx) error { return fn(engineTx{tx}) })
	switch {
	case errors.Is(err, ErrHeadMoved):
		return fmt.Errorf("%w: %w", engine.ErrStale, err)
	case errors.Is(err, ErrNeedsLock):
		return fmt.Errorf("%w: %w", engine.ErrNeedsLock, err)
	}
	return err
}
