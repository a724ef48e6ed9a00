package password

import (
	"context"
	"fmt"

	"golang.org/x/sync/semaphore"
)

// Pool runs every Argon2id evaluation of a Service (hashing, verifying,
// the equalizing work of failed sign-ins) under one memory budget: slots
// evaluations at the current parameters' memory at once. An evaluation
// takes as much of the budget as it allocates (all of it when it needs
// more, so it runs alone); the others wait in arrival order for their
// share or for their context. The zero Pool is not usable: use NewPool.
type Pool struct {
	sem    *semaphore.Weighted
	budget int64 // KiB
	// observe, when set (tests only), sees the parameters of every
	// evaluation as it starts; the func it returns is called at the end.
	observe func(Params) func()
}

// NewPool returns a Pool for slots concurrent evaluations at current
// (slots at least 1).
func NewPool(slots int, current Params) *Pool {
	budget := int64(max(slots, 1)) * int64(max(current.Memory, 8))
	return &Pool{sem: semaphore.NewWeighted(budget), budget: budget}
}

// Observe makes f see the parameters of every evaluation as it starts; the
// func f returns (nil: none) is called when it ends. It is for tests that
// count evaluations instead of timing them; call it before the Pool is
// used.
func (pl *Pool) Observe(f func(Params) func()) { pl.observe = f }

// Budget returns the pool's memory budget in KiB.
func (pl *Pool) Budget() int64 { return pl.budget }

// run evaluates f (one Argon2id at p) in its share of the budget.
func (pl *Pool) run(ctx context.Context, p Params, f func()) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	w := min(int64(p.Memory), pl.budget)
	if err := pl.sem.Acquire(ctx, w); err != nil {
		return err
	}
	defer pl.sem.Release(w)
	if pl.observe != nil {
		if done := pl.observe(p); done != nil {
			defer done()
		}
	}
	f()
	return nil
}

// Hash hashes pw at p with a fresh salt and returns the PHC string.
// Errors: a *ParamsError for parameters out of range (no work done), the
// context's error, a failure of the random source.
func (pl *Pool) Hash(ctx context.Context, pw string, p Params) (string, error) {
	if vs := p.Check(); len(vs) > 0 {
		return "", &ParamsError{vs}
	}
	var out string
	var err error
	if e := pl.run(ctx, p, func() { out, err = hash(pw, p) }); e != nil {
		return "", e
	}
	return out, err
}

// Verify reports whether pw matches the PHC hash phc, and the parameters
// phc was made with. A hash Parse refuses is an error wrapping
// ErrMalformed, with no work done; otherwise the only error is the
// context's.
func (pl *Pool) Verify(ctx context.Context, pw, phc string) (bool, Params, error) {
	p, salt, want, err := Parse(phc)
	if err != nil {
		return false, Params{}, err
	}
	var ok bool
	if err := pl.run(ctx, p, func() { ok = verify(pw, p, salt, want) }); err != nil {
		return false, p, err
	}
	return ok, p, nil
}

// Work spends one evaluation at p on a fixed input and learns nothing: the
// cost of a verification, for the paths of a failed sign-in that have no
// hash to verify (unknown login, no password set) or a cheaper one (see
// Pad). The only error is the context's.
func (pl *Pool) Work(ctx context.Context, p Params) error {
	if vs := p.Check(); len(vs) > 0 {
		return &ParamsError{vs}
	}
	salt := make([]byte, p.SaltLen)
	return pl.run(ctx, p, func() { _ = key("", salt, p) })
}

// ParamsError lists the parameters out of range.
type ParamsError struct{ Violations []Violation }

func (e *ParamsError) Error() string {
	return fmt.Sprintf("hash parameters out of range: %v", e.Violations)
}
