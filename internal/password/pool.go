package password

import (
	"context"
	"fmt"

	"golang.org/x/sync/semaphore"
)

// Pool runs every hash evaluation of a Service (hashing, verifying, the
// equalizing work of failed sign-ins) under one memory budget: slots
// evaluations at the current parameters' memory at once. An Argon2id
// evaluation takes as much of the budget as it allocates (all of it when
// it needs more, so it runs alone); a bcrypt one, which needs 4 KiB but a
// core's time, takes one slot. The others wait in arrival order for their
// share or for their context. The zero Pool is not usable: use NewPool.
type Pool struct {
	sem    *semaphore.Weighted
	budget int64 // KiB
	slot   int64 // KiB: a bcrypt evaluation's share
	// observe and observeBcrypt, when set (tests only), see every
	// Argon2id evaluation's parameters / every bcrypt evaluation's cost
	// as it starts; the func observe returns is called at the end.
	observe       func(Params) func()
	observeBcrypt func(cost int)
}

// NewPool returns a Pool for slots concurrent evaluations at current
// (slots at least 1).
func NewPool(slots int, current Params) *Pool {
	slot := int64(max(current.Memory, 8))
	budget := int64(max(slots, 1)) * slot
	return &Pool{sem: semaphore.NewWeighted(budget), budget: budget, slot: slot}
}

// Observe makes f see the parameters of every evaluation as it starts; the
// func f returns (nil: none) is called when it ends. It is for tests that
// count evaluations instead of timing them; call it before the Pool is
// used.
func (pl *Pool) Observe(f func(Params) func()) { pl.observe = f }

// ObserveBcrypt makes f see the cost of every bcrypt evaluation as it
// starts, as Observe does for Argon2id.
func (pl *Pool) ObserveBcrypt(f func(cost int)) { pl.observeBcrypt = f }

// Budget returns the pool's memory budget in KiB.
func (pl *Pool) Budget() int64 { return pl.budget }

// run evaluates f (one Argon2id at p) in its share of the budget.
func (pl *Pool) run(ctx context.Context, p Params, f func()) error {
	return pl.acquire(ctx, min(int64(p.Memory), pl.budget), func() {
		if pl.observe != nil {
			if done := pl.observe(p); done != nil {
				defer done()
			}
		}
		f()
	})
}

// runBcrypt evaluates f (one bcrypt at cost c) in one slot.
func (pl *Pool) runBcrypt(ctx context.Context, c int, f func()) error {
	return pl.acquire(ctx, pl.slot, func() {
		if pl.observeBcrypt != nil {
			pl.observeBcrypt(c)
		}
		f()
	})
}

// acquire runs f holding w KiB of the budget.
func (pl *Pool) acquire(ctx context.Context, w int64, f func()) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := pl.sem.Acquire(ctx, w); err != nil {
		return err
	}
	defer pl.sem.Release(w)
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

// Verify reports whether pw matches the stored hash (either scheme
// ParseHash reads), and what ParseHash read of it. A hash ParseHash
// refuses is an error wrapping ErrMalformed, with no work done; otherwise
// the only error is the context's.
func (pl *Pool) Verify(ctx context.Context, pw, stored string) (bool, Hash, error) {
	h, err := ParseHash(stored)
	if err != nil {
		return false, Hash{}, err
	}
	var ok bool
	if h.Scheme == Bcrypt {
		err = pl.runBcrypt(ctx, h.Cost, func() { ok = bcryptVerify(pw, stored) })
	} else {
		_, salt, want, _ := Parse(stored) // accepted by ParseHash above
		err = pl.run(ctx, h.Params, func() { ok = verify(pw, h.Params, salt, want) })
	}
	if err != nil {
		return false, h, err
	}
	return ok, h, nil
}

// PadTo spends the work that brings done up to floor, learning nothing:
// for the Argon2id part, one evaluation at current when done has none,
// else the padding Pad computes; for the bcrypt part, one evaluation per
// power of two in the difference (2^L - 2^c rounds are the costs c to
// L-1). Each unit is padded on its own, so two paths padded to the same
// floor do the same work on any machine. The only error is the
// context's.
func (pl *Pool) PadTo(ctx context.Context, done, floor Work, current Params) error {
	if done.Argon < floor.Argon {
		p := current
		if done.Argon > 0 {
			p = padArgon(floor.Argon-done.Argon, current)
		}
		if err := pl.Work(ctx, p); err != nil {
			return err
		}
	}
	if done.Bcrypt < floor.Bcrypt {
		diff := floor.Bcrypt - done.Bcrypt
		if diff < 1<<MinBcryptCost {
			diff = 1 << MinBcryptCost // not reached: both are powers of two of at least 2^4
		}
		for c := MinBcryptCost; c < 64; c++ {
			if diff&(1<<c) == 0 {
				continue
			}
			if err := pl.runBcrypt(ctx, c, func() { bcryptWork(c) }); err != nil {
				return err
			}
		}
	}
	return nil
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
