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

// ruleIndex finds the rule with r's identity (whatever its window) in rs.
func ruleIndex(rs []Rule, r Rule) int {
	k := r.key()
	return slices.IndexFunc(rs, func(x Rule) bool { return x.key() == k })
}

// has reports whether a rule with r's identity holds after the staged
// delta, whatever its window.
func (w *txn) has(r Rule) bool {
	_, ok := w.current(r)
	return ok
}

// current returns the rule with r's identity that holds after the staged
// delta, with its window.
func (w *txn) current(r Rule) (Rule, bool) {
	if i := ruleIndex(w.delta.Add, r); i >= 0 {
		return w.delta.Add[i], true
	}
	if ruleIndex(w.delta.Remove, r) >= 0 {
		return r, false
	}
	return w.snap.storedRule(r)
}

// add stages r. A rule with r's identity and another window (permanent
// or temporary) is replaced: the delta removes it and adds r.
func (w *txn) add(r Rule) {
	r.Window = r.Window.norm()
	if cur, ok := w.current(r); ok {
		if cur.Window == r.Window {
			return
		}
		w.remove(cur)
	}
	if i := ruleIndex(w.delta.Remove, r); i >= 0 && w.delta.Remove[i].Window == r.Window {
		w.delta.Remove = slices.Delete(w.delta.Remove, i, i+1)
		return
	}
	w.delta.Add = append(w.delta.Add, r)
}

// remove stages the removal of the rule with r's identity, whatever its
// window: the delta names the stored rule, window included.
func (w *txn) remove(r Rule) {
	cur, ok := w.current(r)
	if !ok {
		return
	}
	if i := ruleIndex(w.delta.Add, r); i >= 0 {
		w.delta.Add = slices.Delete(w.delta.Add, i, i+1)
		return
	}
	w.delta.Remove = append(w.delta.Remove, cur)
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
	if ps, ok := v.([]Permission); ok && ps != nil { // a grant's: see change_json.go
		if b, ok := appendPermissionList(make([]byte, 0, 64), ps); ok {
			return b
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}
