package engine

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// apply applies consecutive committed entries to every attached domain and
// reports whether they fitted: entries at or below the head are skipped
// (the one at the head must carry the head's hash), a gap, a diverged hash
// or an entry a domain cannot apply returns false and changes nothing (the
// caller reloads).
func (e *Engine) apply(es []Entry) bool {
	_, ok := e.applyNew(es)
	return ok
}

// applyNew is apply that also returns the entries it applied (none when
// another catch-up applied them first).
func (e *Engine) applyNew(es []Entry) ([]Entry, bool) {
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	cur := *e.head.Load()
	i := 0
	for ; i < len(es) && es[i].Version <= cur.Version; i++ {
		if es[i].Version == cur.Version && es[i].Hash != cur.Hash {
			return nil, false // the database's history is not ours
		}
	}
	es = es[i:]
	if len(es) == 0 {
		return nil, true
	}
	for j, en := range es {
		if en.Version != cur.Version+1+int64(j) {
			return nil, false
		}
	}
	last := es[len(es)-1]
	pubs := make([]func(), 0, len(e.domains))
	for _, d := range e.domains {
		var mine []Entry
		for _, en := range es {
			if en.Domain == d.Name() {
				mine = append(mine, en)
			}
		}
		if len(mine) == 0 {
			continue
		}
		pub, err := d.Apply(mine, last.Version)
		if err != nil {
			e.log.Warn("billingrbac: change cannot be applied, reloading", "domain", d.Name(), "err", err)
			return nil, false
		}
		pubs = append(pubs, pub)
	}
	for _, pub := range pubs {
		pub()
	}
	e.head.Store(&Head{Version: last.Version, Hash: last.Hash})
	e.applied.Broadcast()
	e.deliver(es, false, Head{})
	return es, true
}

// catchUpTx makes every domain current with tx.Prev() inside the lock:
// from the log when it continues this instance's history, else by reload.
func (e *Engine) catchUpTx(tx Tx) error {
	want := tx.Prev()
	cur := e.Head()
	if cur == want {
		return nil
	}
	if cur.Version < want.Version && want.Version-cur.Version <= maxTxCatchUp {
		after := max(cur.Version-1, 0)
		es, err := tx.Entries(after, int(want.Version-after))
		if err != nil {
			return err
		}
		if cur.Version == 0 || (len(es) > 0 && es[0].Version == cur.Version) {
			if e.apply(es) && e.Head() == want {
				return nil
			}
		}
	}
	return e.loadAll(tx)
}

// loadAll reloads every domain inside tx's lock and publishes them
// together with tx.Prev() as the head.
func (e *Engine) loadAll(tx Tx) error {
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	want := tx.Prev()
	pubs := make([]func(), 0, len(e.domains))
	for _, d := range e.domains {
		pub, err := d.Load(tx)
		if err != nil {
			return fmt.Errorf("reload %s: %w", d.Name(), err)
		}
		pubs = append(pubs, pub)
	}
	for _, pub := range pubs {
		pub()
	}
	old := *e.head.Load()
	e.head.Store(&want)
	e.applied.Broadcast()
	e.deliver(nil, true, want)
	e.log.Info("billingrbac: full reload", "from", old.Version, "to", want.Version)
	return nil
}

// reload rereads every domain inside the version lock, without writing.
func (e *Engine) reload(ctx context.Context) error {
	t := e.mono()
	err := e.store.Update(ctx, func(tx Tx) error {
		if err := e.loadAll(tx); err != nil {
			return err
		}
		return errRollback
	})
	if errors.Is(err, errRollback) {
		e.confirm(t)
		return nil
	}
	return err
}

// catchUp applies what the database committed after this instance's head,
// checking first that the database still holds the head's entry with the
// same hash; when it does not (the database went back, or another history
// took the head's version) it reloads.
func (e *Engine) catchUp(ctx context.Context) error {
	if e.onSync == nil {
		return e.catchUpOnce(ctx, nil)
	}
	ctx, done := e.onSync(ctx)
	var ob syncObservation
	err := e.catchUpOnce(ctx, &ob)
	done(ob.applied, ob.reloaded, err)
	return err
}

// syncObservation is what one catch-up did, for Options.OnCatchUp.
type syncObservation struct {
	applied  []Entry
	reloaded bool
}

func (e *Engine) catchUpOnce(ctx context.Context, ob *syncObservation) error {
	t := e.mono()
	if hr, ok := e.store.(HeadReader); ok {
		if cur := e.Head(); cur.Version > 0 {
			if h, err := hr.LastHead(ctx); err == nil && h == cur {
				e.confirm(t)
				return nil
			}
		}
	}
	for {
		cur := e.Head()
		after := max(cur.Version-1, 0)
		es, err := e.store.Entries(ctx, after, batch+1)
		if err != nil {
			return err
		}
		if cur.Version > 0 && (len(es) == 0 || es[0].Version != cur.Version) {
			if ob != nil {
				ob.reloaded = true
			}
			return e.reload(ctx)
		}
		applied, ok := e.applyNew(es)
		if !ok {
			if ob != nil {
				ob.reloaded = true
			}
			return e.reload(ctx)
		}
		if ob != nil {
			// What this catch-up applied itself: a concurrent one (the
			// listener's and a Sync) may have applied the same entries.
			ob.applied = append(ob.applied, applied...)
		}
		if len(es) <= batch {
			e.confirm(t)
			return nil
		}
	}
}

// run is the catch-up loop: on every trigger (a notification, a
// reconnection, the periodic tick) it catches up, retrying a failure with
// capped exponential backoff until it succeeds or the engine closes.
func (e *Engine) run(ctx context.Context) {
	defer e.wg.Done()
	var tick <-chan time.Time
	if e.every > 0 {
		t := time.NewTicker(e.every)
		defer t.Stop()
		tick = t.C
	}
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	defer retry.Stop()
	pending, verifyDue := false, false
	backoff := time.Duration(0)
	limit := e.limit
	for {
		if pending {
			cctx, cancel := context.WithTimeout(ctx, limit)
			err := e.catchUp(cctx)
			if err == nil && verifyDue {
				// On the periodic tick only: rows written behind the
				// change log's back.
				err = e.verify(cctx)
			}
			timedOut := cctx.Err() != nil
			cancel()
			if err != nil && ctx.Err() == nil {
				if timedOut {
					limit = min(2*limit, maxCatchUpTimeout)
				}
				backoff = min(max(2*backoff, minBackoff), maxBackoff)
				e.log.Warn("billingrbac: catch-up failed, retrying", "err", err, "in", backoff)
				retry.Reset(backoff)
			} else {
				pending, verifyDue, backoff, limit = false, false, 0, e.limit
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-e.trigger:
			pending = true
		case <-tick:
			pending, verifyDue = true, true
		case <-retry.C:
		}
	}
}

// listen runs the store's listener for the engine's life, restarting it if
// it returns; every notification (0 after a reconnection included)
// triggers a catch-up, except those of versions this instance committed
// or applied already.
func (e *Engine) listen(ctx context.Context) {
	defer e.wg.Done()
	for ctx.Err() == nil {
		err := e.notify.Listen(ctx, func(v int64) {
			// This instance's own commit (in flight or applied) needs no
			// catch-up: Write applies it, and reloads if it cannot.
			if v > 0 && v <= max(e.own.Load(), e.Version()) {
				return
			}
			e.Trigger()
		})
		if ctx.Err() != nil {
			return
		}
		e.log.Warn("billingrbac: listener stopped, restarting", "err", err)
		e.Trigger()
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// watch flips Stale when the last confirmation is older than MaxStaleness.
func (e *Engine) watch(ctx context.Context) {
	defer e.wg.Done()
	t := time.NewTicker(max(e.maxAge/8, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if e.Lag() > e.maxAge {
				e.stale.Store(true)
			}
		}
	}
}
