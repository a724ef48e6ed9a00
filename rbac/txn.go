package rbac

import (
	"context"
	"encoding/json"
	"slices"
)

// txn stages one change inside a write transaction. Rules are checked
// against the index as of the locked version plus what is already staged,
// so the delta sent to the store holds only effective changes.
type txn struct {
	s      *Service
	tx     Tx // the store's Tx seen through controlTx: staff row writes are tracked
	raw    Tx // the store's Tx itself, for its optional interfaces
	ctx    context.Context
	snap   *snapshot
	delta  PolicyDelta
	change Change
	// touched: domain rows changed (a change is recorded even without
	// policy).
	touched bool
	// written and control are the staff accounts whose rows the change
	// writes and whose sign-in it sets (see controlTx).
	written, control map[StaffID]struct{}
	rank             []int     // catalog positions by permID of rankSnap, for listing effects
	rankSnap         *snapshot // the snapshot rank was computed for
}

func newTxn(s *Service, tx Tx, ctx context.Context) *txn {
	w := &txn{s: s, raw: tx, ctx: ctx, snap: s.snap.Load()}
	w.tx = &controlTx{tx: tx, w: w}
	return w
}

func ruleIndex(rs []Rule, r Rule) int { return slices.Index(rs, r) }

// has reports whether r holds after the staged delta.
func (w *txn) has(r Rule) bool {
	if ruleIndex(w.delta.Add, r) >= 0 {
		return true
	}
	if ruleIndex(w.delta.Remove, r) >= 0 {
		return false
	}
	return w.snap.hasRule(r)
}

func (w *txn) add(r Rule) {
	if w.has(r) {
		return
	}
	if i := ruleIndex(w.delta.Remove, r); i >= 0 {
		w.delta.Remove = slices.Delete(w.delta.Remove, i, i+1)
		return
	}
	w.delta.Add = append(w.delta.Add, r)
}

func (w *txn) remove(r Rule) {
	if !w.has(r) {
		return
	}
	if i := ruleIndex(w.delta.Add, r); i >= 0 {
		w.delta.Add = slices.Delete(w.delta.Add, i, i+1)
		return
	}
	w.delta.Remove = append(w.delta.Remove, r)
}

// setFlag stages flag f on sub as on.
func (w *txn) setFlag(sub Subject, f Flag, on bool) {
	if on {
		w.add(FlagRule(sub, f))
	} else {
		w.remove(FlagRule(sub, f))
	}
}

// record fills the audit part of the change.
func (w *txn) record(actor StaffID, op Operation, target string, before, after any) {
	w.touched = true
	w.change.Actor = actor
	w.change.Op = op
	w.change.Target = target
	w.change.Before = marshalOrNull(before)
	w.change.After = marshalOrNull(after)
}

func marshalOrNull(v any) json.RawMessage {
	if v == nil {
		return json.RawMessage("null")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}
