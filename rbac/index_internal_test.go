package rbac

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// Applying random deltas one by one must give the same decisions as
// building the index from the resulting policy at once, including for IDs
// beyond the dense chunks and across chunk boundaries.
func TestIndexIncrementalEqualsRebuild(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	staff := []StaffID{1, 2, 1023, 1024, 1025, 5000, denseLimit - 1, denseLimit, 1 << 40}
	depts := []DepartmentID{1, 2, 3}
	perms := []Permission{Perm("a", "x"), Perm("b", "y"), Perm("c", "z")}
	// Many permissions so some IDs land past the inline 256 bits.
	for i := range 300 {
		perms = append(perms, Perm(Function("f"+string(rune('a'+i%26))+string(rune('a'+i/26))), "v"))
	}
	randomRule := func() Rule {
		switch rng.IntN(4) {
		case 0:
			return GrantRule(DepartmentSubject(depts[rng.IntN(len(depts))]), perms[rng.IntN(len(perms))])
		case 1:
			return GrantRule(StaffSubject(staff[rng.IntN(len(staff))]), perms[rng.IntN(len(perms))])
		case 2:
			return MemberRule(staff[rng.IntN(len(staff))], depts[rng.IntN(len(depts))])
		default:
			if rng.IntN(2) == 0 {
				return FlagRule(DepartmentSubject(depts[rng.IntN(len(depts))]), FlagDisabled)
			}
			return FlagRule(StaffSubject(staff[rng.IntN(len(staff))]), []Flag{FlagDisabled, FlagFullAccess}[rng.IntN(2)])
		}
	}
	policy := map[Rule]bool{}
	snap := buildSnapshot(nil, 0, nil)
	for step := range 400 {
		var d PolicyDelta
		inDelta := map[Rule]bool{}
		for range 1 + rng.IntN(4) {
			r := randomRule()
			if inDelta[r] {
				continue // a delta names a rule once, as txn builds them
			}
			inDelta[r] = true
			if policy[r] {
				d.Remove = append(d.Remove, r)
				delete(policy, r)
			} else {
				d.Add = append(d.Add, r)
				policy[r] = true
			}
		}
		prev, prevPolicy := snap, maps.Clone(policy)
		for r := range inDelta {
			prevPolicy[r] = !policy[r]
		}
		b := newBuilder(snap)
		b.applyDelta(d)
		snap = b.finish()
		var all []Rule
		for r := range policy {
			all = append(all, r)
		}
		fresh := buildSnapshot(all, 0, nil)
		checkPerms := append(slices.Clone(perms[:6]), perms[len(perms)-3:]...)
		checkPerms = append(checkPerms, perms[rng.IntN(len(perms))], Perm("never", "granted"))
		sameIndex(t, step, snap, fresh, staff, checkPerms, policy)
		// Copy-on-write: the snapshot the step started from still answers
		// as before, for its readers.
		sameRules(t, step, prev, prevPolicy)
	}
	if len(snap.far) == 0 && len(policy) > 0 {
		t.Log("note: no far IDs in the final policy")
	}
}

// A batch that empties a permission's direct holders and then grants it
// again (as Sync applies several changes at once) must not lose the set.
func TestIndexRevokeThenGrantInOneBatch(t *testing.T) {
	p := Perm("invoices", "send")
	snap := buildSnapshot([]Rule{GrantRule(StaffSubject(1), p)}, 1, nil)
	b := newBuilder(snap)
	b.applyDelta(PolicyDelta{Remove: []Rule{GrantRule(StaffSubject(1), p)}})
	b.applyDelta(PolicyDelta{Add: []Rule{GrantRule(StaffSubject(2), p)}})
	next := b.finish()
	if next.can(1, p) || !next.can(2, p) {
		t.Fatalf("can(1) = %v, can(2) = %v; want false, true", next.can(1, p), next.can(2, p))
	}
	if got := next.explainHolders(p, next.holdersOf(p), nil, 0, 10); len(got) != 1 || got[0].Staff != 2 {
		t.Fatalf("holders = %v", got)
	}
}

// sameIndex checks that the incrementally built snapshot answers like the
// rebuilt one and like brute force: every check, every permission's
// holders (as a set, a count, pages and with reasons), every rule.
func sameIndex(t *testing.T, step int, snap, fresh *snapshot, staff []StaffID, perms []Permission, policy map[Rule]bool) {
	t.Helper()
	for _, p := range perms {
		var brute []StaffID
		for _, id := range staff {
			got := snap.can(id, p)
			if got != fresh.can(id, p) {
				t.Fatalf("step %d: can(%d, %s) incremental %v, rebuilt %v", step, id, p, got, fresh.can(id, p))
			}
			if got {
				brute = append(brute, id)
			}
		}
		h := snap.holdersOf(p)
		if ids := h.appendTo(nil); !slices.Equal(ids, brute) {
			t.Fatalf("step %d: holders of %s = %v, brute force %v", step, p, ids, brute)
		}
		if ids := slices.Collect(fresh.holdersOf(p).all()); !slices.Equal(ids, brute) {
			t.Fatalf("step %d: rebuilt holders of %s = %v, brute force %v", step, p, ids, brute)
		}
		if h.len() != len(brute) {
			t.Fatalf("step %d: holder count of %s = %d, want %d", step, p, h.len(), len(brute))
		}
		var paged []StaffID
		for after := StaffID(0); ; {
			page := snap.explainHolders(p, h, nil, after, min(3, h.len()))
			for _, x := range page {
				paged = append(paged, x.Staff)
				if len(x.Sources) == 0 {
					t.Fatalf("step %d: holder %d of %s without a reason", step, x.Staff, p)
				}
			}
			if len(page) < 3 {
				break
			}
			after = page[len(page)-1].Staff
		}
		if !slices.Equal(paged, brute) {
			t.Fatalf("step %d: pages of %s = %v, brute force %v", step, p, paged, brute)
		}
	}
	sameRules(t, step, snap, policy)
}

// sameRules checks hasRule for every rule the policy has or had.
func sameRules(t *testing.T, step int, snap *snapshot, policy map[Rule]bool) {
	t.Helper()
	for r, in := range policy {
		if snap.hasRule(r) != in {
			t.Fatalf("step %d: hasRule(%v) = %v, want %v", step, r, !in, in)
		}
	}
}
