package rbac

import (
	"errors"
	"testing"

	"github.com/billingrbac/billingrbac/internal/engine"
)

// The write path's last line of defence: whatever the operation, a staged
// change that leaves no active full-access account is refused.
func TestLastFullAccessGuard(t *testing.T) {
	snap := buildSnapshot([]Rule{
		FlagRule(StaffSubject(1), FlagFullAccess),
		FlagRule(StaffSubject(2), FlagFullAccess),
		FlagRule(StaffSubject(2), FlagDisabled),
	}, 1, nil)
	for name, stage := range map[string]func(w *txn){
		"demote":  func(w *txn) { w.remove(FlagRule(StaffSubject(1), FlagFullAccess)) },
		"disable": func(w *txn) { w.add(FlagRule(StaffSubject(1), FlagDisabled)) },
		"delete": func(w *txn) {
			for _, r := range w.snap.rulesOfStaff(1) {
				w.remove(r)
			}
		},
	} {
		w := &txn{s: &Service{catalog: NewCatalog()}, snap: snap}
		stage(w)
		after, _ := w.effectOf()
		if !lastFullAccessGone(snap, after) {
			t.Errorf("%s: active full access %d → %d not caught", name, snap.active.len(), after.active.len())
		}
	}
	// Handing over first is fine: enable 2, then demote 1.
	w := &txn{s: &Service{catalog: NewCatalog()}, snap: snap}
	w.remove(FlagRule(StaffSubject(2), FlagDisabled))
	w.remove(FlagRule(StaffSubject(1), FlagFullAccess))
	if after, _ := w.effectOf(); lastFullAccessGone(snap, after) || after.active.len() != 1 {
		t.Errorf("hand-over refused: %d active full-access accounts after", after.active.len())
	}
}

// An unknown rule in a change is not applied: the engine reloads instead.
func TestUnknownChangeIsRefused(t *testing.T) {
	s := &Service{}
	s.snap.Store(buildSnapshot(nil, 5, nil))
	d := staffDomain{s}
	bad := []PolicyDelta{
		{Add: []Rule{{Kind: 9, Subject: StaffSubject(1)}}},
		{Add: []Rule{{Kind: RuleFlag, Subject: StaffSubject(1), Flag: "root"}}},
		{Remove: []Rule{{Kind: RuleGrant, Subject: Subject{Staff: 1, Department: 2}, Permission: Perm("a", "b")}}},
	}
	for _, delta := range bad {
		if _, err := d.Apply([]engine.Entry{{Version: 6, Domain: "staff", Local: delta}}, 6); !errors.Is(err, errUnknownChange) {
			t.Errorf("applied unknown change %+v: err = %v", delta, err)
		}
		if v := s.snap.Load().version; v != 5 {
			t.Fatalf("version moved to %d", v)
		}
	}
	pub, err := d.Apply([]engine.Entry{{Version: 6, Domain: "staff",
		Local: PolicyDelta{Add: []Rule{FlagRule(StaffSubject(1), FlagFullAccess)}}}}, 6)
	if err != nil {
		t.Fatal(err)
	}
	pub()
	if !s.snap.Load().can(1, Perm("x", "y")) {
		t.Fatal("a known change was not applied")
	}
}
