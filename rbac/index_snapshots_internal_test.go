package rbac

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Every published snapshot keeps answering as the policy it was built
// from, however many changes were built on it since: a builder never
// writes into a copy grain (a row group, an entry group, a chunk, an
// idset block or bitmap piece, a directory leaf) that an older snapshot
// still shares. A random, seeded change sequence keeps each snapshot with
// its policy and re-checks all of them against their own oracle at a few
// points and at the end, so a write into a grain shared with a snapshot
// two or more steps old fails as surely as one into the last. The staff
// sit on the grain edges: the row groups of a chunk (63/64/65, 127/128,
// 191/192, 255/256), the chunk directory's leaves (16,383/16,384), the
// row directory's leaves and the bitmap pieces (4,095/4,096/4,097 and
// their multiples), the 65,536-ID blocks and the dense limit. Department
// 1 has thousands of members in block 0, so its member set and its
// permissions' holders are bitmaps, and waves of members leaving and
// joining turn them into arrays and back. Changes mix memberships,
// department grants and disabled departments reaching thousands of rows,
// direct and temporary grants, full access and disabled flags, batches
// that change one row group several times (several deltas in one
// builder, as a catch-up applies them), and once, permissions enough to
// widen every row.
func TestSnapshotsStayAsPublished(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }

	edges := snapshotEdgeStaff()
	var bulk []StaffID // department 1's members at the start
	for id := StaffID(15); id < 1<<blockBits; id += 15 {
		bulk = append(bulk, id)
	}
	require.Greater(t, len(bulk), arrayMax, "department 1's members fill a bitmap block")
	staff := slices.Concat(edges, bulk)
	slices.Sort(staff)
	staff = slices.Compact(staff)
	const bulkDept = DepartmentID(1)
	depts := []DepartmentID{1, 2, 3, 4, 5, 6} // the oracle's
	perms := []Permission{Perm("a", "x"), Perm("b", "y"), Perm("c", "z")}
	wide := make([]Permission, 300) // granted at once: rows widen past 256 bits
	for i := range wide {
		wide[i] = Perm("wide", Action(fmt.Sprintf("p%03d", i)))
	}
	checked := append(slices.Clone(perms), wide[len(wide)-1])

	window := func() Window {
		switch rng.IntN(3) {
		case 0:
			return Window{Until: now.Add(time.Duration(1+rng.IntN(90)) * time.Minute)}
		case 1:
			return Window{Until: now.Add(-time.Hour)}
		default:
			from := now.Add(time.Duration(1+rng.IntN(60)) * time.Minute)
			return Window{From: from, Until: from.Add(time.Hour)}
		}
	}
	// staffRule is a rule about id: a grant, a membership or a flag,
	// sometimes temporary.
	staffRule := func(id StaffID) Rule {
		var r Rule
		switch rng.IntN(8) {
		case 0, 1:
			r = GrantRule(StaffSubject(id), perms[rng.IntN(len(perms))])
		case 2, 3, 4:
			r = MemberRule(id, depts[rng.IntN(len(depts))])
		default:
			return FlagRule(StaffSubject(id), []Flag{FlagDisabled, FlagFullAccess}[rng.IntN(2)])
		}
		if rng.IntN(3) == 0 {
			r = r.Within(window())
		}
		return r
	}
	deptRule := func(d DepartmentID) Rule {
		if rng.IntN(4) == 0 {
			return FlagRule(DepartmentSubject(d), FlagDisabled)
		}
		return GrantRule(DepartmentSubject(d), perms[rng.IntN(len(perms))])
	}
	// group lists the staff of id's row group (64 rows).
	group := func(id StaffID) []StaffID {
		i, _ := slices.BinarySearch(staff, id&^(groupSize-1))
		j, _ := slices.BinarySearch(staff, id|(groupSize-1)+1)
		return staff[i:j]
	}

	policy := map[Rule]Rule{} // by key, with its window
	// change turns rules into a delta against policy, as txn builds one
	// (each rule named once): a rule not in the policy is added; one in it
	// is removed or, sometimes, given another window.
	change := func(rules []Rule) PolicyDelta {
		var d PolicyDelta
		named := map[Rule]bool{}
		for _, r := range rules {
			k := r.key()
			if named[k] {
				continue
			}
			named[k] = true
			old, in := policy[k]
			switch {
			case !in:
				d.Add = append(d.Add, r)
				policy[k] = r
			case rng.IntN(3) == 0 && (k.Kind == RuleGrant && k.Subject.Staff != 0 || k.Kind == RuleMember):
				r = k
				if old.Window.IsZero() {
					r = k.Within(window())
				}
				if rng.IntN(2) == 0 {
					d.Remove = append(d.Remove, k)
				}
				d.Add = append(d.Add, r)
				policy[k] = r
			default:
				d.Remove = append(d.Remove, k)
				delete(policy, k)
			}
		}
		return d
	}
	// join makes ids members of department 1 (leave: no longer).
	join := func(ids []StaffID, leave bool) PolicyDelta {
		var d PolicyDelta
		for _, id := range ids {
			k := MemberRule(id, bulkDept)
			_, in := policy[k]
			switch {
			case leave && in:
				d.Remove = append(d.Remove, k)
				delete(policy, k)
			case !leave && !in:
				d.Add = append(d.Add, k)
				policy[k] = k
			}
		}
		return d
	}

	// The first snapshot is built whole: department 1 with its members
	// and two permissions, so later changes copy grains a fresh build
	// made.
	initial := join(bulk, false).Add
	for _, p := range perms[:2] {
		r := GrantRule(DepartmentSubject(bulkDept), p)
		initial = append(initial, r)
		policy[r] = r
	}
	type published struct {
		step   int
		snap   *snapshot
		policy map[Rule]Rule
	}
	history := []published{{0, buildSnapshot(initial, 0, clock), maps.Clone(policy)}}
	require.Greater(t, history[0].snap.dept(bulkDept).members.len(), arrayMax)

	holders := 0
	recheck := func(when string) {
		for _, h := range history {
			holders += checkOracle(t, fmt.Sprintf("snapshot %d rechecked %s", h.step, when), h.snap, oracle{policy: h.policy, now: now}, staff, checked)
		}
	}
	// bitmap reports whether department 1's members in block 0 are a
	// bitmap (else an array): the sequence turns them both ways.
	bitmap := func(s *snapshot) bool {
		m := s.dept(bulkDept).members
		return m.len() > 0 && m.keys[0] == 0 && m.blks[0].bm != nil
	}
	toArray, toBitmap, temps := 0, 0, 0
	const steps = 30
	widened, left := false, false
	for step := 1; step <= steps; step++ {
		b := newBuilder(history[len(history)-1].snap)
		for range 1 + rng.IntN(4) {
			var d PolicyDelta
			switch op := rng.IntN(12); {
			case op < 4: // a few rules about staff on the edges
				var rs []Rule
				for range 1 + rng.IntN(8) {
					if rng.IntN(4) == 0 {
						rs = append(rs, deptRule(depts[rng.IntN(len(depts))]))
					} else {
						rs = append(rs, staffRule(edges[rng.IntN(len(edges))]))
					}
				}
				d = change(rs)
			case op < 8: // one row group, several rows and rules
				g := group(edges[rng.IntN(len(edges))])
				var rs []Rule
				for range 2 + rng.IntN(10) {
					rs = append(rs, staffRule(g[rng.IntN(len(g))]))
				}
				d = change(rs)
			case op < 10: // department 1's permissions or status: its thousands of rows
				d = change([]Rule{deptRule(bulkDept)})
			case left: // they all join again: its blocks turn bitmaps
				d, left = join(bulk, false), false
			default: // a wave of its members leaves: its blocks turn arrays
				n := 2400 + rng.IntN(600)
				start := rng.IntN(len(bulk) - n)
				d, left = join(bulk[start:start+n], true), true
			}
			b.applyDelta(d)
		}
		if !widened && step >= steps/2 {
			// 300 new permissions for department 1 and staff on the edges:
			// every row is copied wider, every published one stays.
			var rs []Rule
			for _, p := range wide {
				rs = append(rs, GrantRule(DepartmentSubject(bulkDept), p), GrantRule(StaffSubject(edges[rng.IntN(len(edges))]), p))
			}
			b.applyDelta(change(rs))
			widened = true
		}
		next := b.finish()
		switch was, is := bitmap(history[len(history)-1].snap), bitmap(next); {
		case was && !is:
			toArray++
		case is && !was:
			toBitmap++
		}
		temps = max(temps, next.temp.len())
		history = append(history, published{step, next, maps.Clone(policy)})
		holders += checkOracle(t, fmt.Sprintf("snapshot %d as published", step), next, oracle{policy: policy, now: now}, staff, checked)
		if rng.IntN(4) == 0 {
			now = now.Add(time.Duration(rng.IntN(40)) * time.Minute)
		}
		if step%10 == 0 || step == steps {
			recheck(fmt.Sprintf("after step %d", step))
		}
	}
	t.Logf("department 1's members: %d times an array, %d times a bitmap again; up to %d staff with temporary rules", toArray, toBitmap, temps)
	require.Positive(t, toArray, "a bitmap block turned into an array")
	require.Positive(t, toBitmap, "an array block turned into a bitmap")
	require.Positive(t, temps, "rows with temporary rules")
	require.True(t, widened)
	require.Greater(t, history[len(history)-1].snap.words, history[0].snap.words, "the rows widened")
	require.Greater(t, holders, 100000, "the policies give holders")
}

// snapshotEdgeStaff lists staff IDs on the edges of the index's copy
// grains.
func snapshotEdgeStaff() []StaffID {
	var ids []StaffID
	// Row groups in chunks at the start, at piece and directory-leaf
	// edges, at a block edge and at the end of the dense chunks.
	for _, c := range []uint64{0, 1, 15, 16, 63, 64, 255, 256, 511, denseLimit>>chunkBits - 1} {
		for _, i := range []uint64{0, 1, 62, 63, 64, 65, 127, 128, 129, 191, 192, 254, 255} {
			ids = append(ids, StaffID(c<<chunkBits+i))
		}
	}
	// Bitmap pieces (4,096 IDs) in blocks 0, 1 and 2.
	for _, block := range []uint64{0, 1, 2} {
		for _, p := range []uint64{1, 2, 3, 8, 15} {
			base := block<<blockBits + p<<pieceBits
			ids = append(ids, StaffID(base-1), StaffID(base), StaffID(base+1))
		}
	}
	// Blocks (65,536 IDs) and the dense limit.
	for _, k := range []uint64{1, 2, 3} {
		ids = append(ids, StaffID(k<<blockBits-1), StaffID(k<<blockBits), StaffID(k<<blockBits+1))
	}
	ids = append(ids, denseLimit-1, denseLimit, denseLimit+1, denseLimit+1<<blockBits, 1<<40)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if ids[0] == 0 { // staff IDs are positive
		ids = ids[1:]
	}
	return ids
}
