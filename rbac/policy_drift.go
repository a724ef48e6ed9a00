package rbac

import (
	"context"
	"fmt"
)

// ForeignWriteCounter is an optional capability of a Store (package
// store's has it): how many times something other than the library's
// change flow wrote the stored policy's tables (database triggers count
// them). With it, the Service notices rows written behind its back, logs
// an error and reloads, so every instance decides from the same rows; see
// docs/database.md for keeping such writes out altogether.
type ForeignWriteCounter interface {
	ForeignPolicyWrites(ctx context.Context) (int64, error)
}

// ForeignWriteCounterTx is the same count read inside a transaction, so
// a reload reads it together with the rules.
type ForeignWriteCounterTx interface {
	ForeignPolicyWrites() (int64, error)
}

// Drifted implements engine.Verifier: the count of foreign writes moved
// since the rules were last loaded.
func (d staffDomain) Drifted(ctx context.Context) (bool, string, error) {
	c, ok := d.s.store.(ForeignWriteCounter)
	if !ok {
		return false, "", nil
	}
	n, err := c.ForeignPolicyWrites(ctx)
	if err != nil {
		return false, "", err
	}
	if seen := d.s.foreignSeen.Load(); n != seen {
		return true, fmt.Sprintf("%d write(s) to the policy tables outside the change log", n-seen), nil
	}
	return false, "", nil
}

// foreignAtLoad reads the count inside a reload's transaction.
func foreignAtLoad(tx Tx) (int64, bool, error) {
	c, ok := tx.(ForeignWriteCounterTx)
	if !ok {
		return 0, false, nil
	}
	n, err := c.ForeignPolicyWrites()
	return n, true, err
}
