package rbac

import (
	"cmp"
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
	snap := buildSnapshot(nil, 0)
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
		b := newBuilder(snap)
		b.applyDelta(d)
		snap = b.finish()
		var all []Rule
		for r := range policy {
			all = append(all, r)
		}
		fresh := buildSnapshot(all, 0)
		for _, id := range staff {
			for _, p := range perms[:6] {
				if snap.can(id, p) != fresh.can(id, p) {
					t.Fatalf("step %d: can(%d, %s) incremental %v, rebuilt %v", step, id, p, snap.can(id, p), fresh.can(id, p))
				}
			}
			for _, p := range perms[len(perms)-3:] {
				if snap.can(id, p) != fresh.can(id, p) {
					t.Fatalf("step %d: can(%d, %s) incremental %v, rebuilt %v", step, id, p, snap.can(id, p), fresh.can(id, p))
				}
			}
		}
	}
	if len(snap.far) == 0 && len(policy) > 0 {
		t.Log("note: no far IDs in the final policy")
	}
}

// A batch that empties a permission's direct holders and then grants it
// again (as Sync applies several changes at once) must not lose the set.
func TestIndexRevokeThenGrantInOneBatch(t *testing.T) {
	p := Perm("invoices", "send")
	snap := buildSnapshot([]Rule{GrantRule(StaffSubject(1), p)}, 1)
	b := newBuilder(snap)
	b.applyDelta(PolicyDelta{Remove: []Rule{GrantRule(StaffSubject(1), p)}})
	b.applyDelta(PolicyDelta{Add: []Rule{GrantRule(StaffSubject(2), p)}})
	next := b.finish()
	if next.can(1, p) || !next.can(2, p) {
		t.Fatalf("can(1) = %v, can(2) = %v; want false, true", next.can(1, p), next.can(2, p))
	}
	if got := next.whoCan(p); len(got) != 1 || got[0].Staff != 2 {
		t.Fatalf("whoCan = %v", got)
	}
}

// The radix sort is a stable sort by staff ID, like the comparison sort.
func TestSortByStaffStable(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 63, 64, 1000, 20000} {
		refs := make([]holderRef, n)
		for i := range refs {
			refs[i] = holderRef{StaffID(rng.IntN(100_000_000)), Source{Kind: SourceDepartment, Department: DepartmentID(i)}}
		}
		want := slices.Clone(refs)
		slices.SortStableFunc(want, func(a, b holderRef) int { return cmp.Compare(a.id, b.id) })
		if got := sortByStaff(slices.Clone(refs), make([]holderRef, n)); !slices.Equal(got, want) {
			t.Fatalf("n=%d: radix order differs from a stable sort", n)
		}
	}
}
