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
	s       *Service
	tx      Tx
	ctx     context.Context
	snap    *snapshot
	delta   PolicyDelta
	change  Change
	touched bool // domain rows changed (a change is recorded even without policy)
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

// activeFullAccess counts staff with full access who are not disabled,
// after the staged delta.
func (w *txn) activeFullAccess() int {
	cands := make(map[StaffID]struct{}, len(w.snap.full)+1)
	for id := range w.snap.full {
		cands[id] = struct{}{}
	}
	for _, r := range w.delta.Add {
		if r.Kind == RuleFlag && r.Flag == FlagFullAccess {
			cands[r.Subject.Staff] = struct{}{}
		}
	}
	n := 0
	for id := range cands {
		sub := StaffSubject(id)
		if w.has(FlagRule(sub, FlagFullAccess)) && !w.has(FlagRule(sub, FlagDisabled)) {
			n++
		}
	}
	return n
}

// checkLastFullAccess refuses a change that leaves no active full-access
// account when there was one.
func (w *txn) checkLastFullAccess() error {
	before := 0
	for id := range w.snap.full {
		if e := w.snap.staffEntry(id); e != nil && !e.disabled {
			before++
		}
	}
	if before > 0 && w.activeFullAccess() == 0 {
		return &DeniedError{Op: string(w.change.Op), Actor: w.change.Actor,
			Reason: "the last active full-access account cannot be deleted, disabled or lose full access", last: true}
	}
	return nil
}
