package rbac

import (
	"errors"
	"testing"
)

// The write path's last line of defence: whatever the operation, a staged
// change that leaves no active full-access account is refused.
func TestLastFullAccessGuard(t *testing.T) {
	snap := buildSnapshot([]Rule{
		FlagRule(StaffSubject(1), FlagFullAccess),
		FlagRule(StaffSubject(2), FlagFullAccess),
		FlagRule(StaffSubject(2), FlagDisabled),
	}, 1)
	for name, stage := range map[string]func(w *txn){
		"demote":  func(w *txn) { w.remove(FlagRule(StaffSubject(1), FlagFullAccess)) },
		"disable": func(w *txn) { w.add(FlagRule(StaffSubject(1), FlagDisabled)) },
		"delete": func(w *txn) {
			for _, r := range w.snap.rulesOfStaff(1) {
				w.remove(r)
			}
		},
	} {
		w := &txn{snap: snap}
		stage(w)
		err := w.checkLastFullAccess()
		if !errors.Is(err, ErrLastFullAccess) || !errors.Is(err, ErrPermissionDenied) {
			t.Errorf("%s: err = %v, want ErrLastFullAccess", name, err)
		}
	}
	// Handing over first is fine: enable 2, then demote 1.
	w := &txn{snap: snap}
	w.remove(FlagRule(StaffSubject(2), FlagDisabled))
	w.remove(FlagRule(StaffSubject(1), FlagFullAccess))
	if err := w.checkLastFullAccess(); err != nil {
		t.Errorf("hand-over refused: %v", err)
	}
}
