package rbac

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// WhoCan's merge of the department member sets gives every holder the
// reasons its entry gives (holdersByEntry, what Explain reads), in random
// policies changed batch by batch: staff over several 65,536-ID blocks
// and beyond the dense chunks, in up to five departments (more than the
// three a code word holds), direct and temporary grants and memberships
// on both sides of the clock, full access, disabled staff and
// departments. The per-permission direct sets stay those of the entries.
func TestWhoCanScanMatchesEntries(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var staff []StaffID
	for range 300 {
		staff = append(staff, StaffID(1+rng.IntN(3<<blockBits)))
	}
	staff = append(staff, 0, 1<<blockBits-1, 1<<blockBits, denseLimit+5, 1<<40)
	depts := []DepartmentID{1, 2, 3, 4, 5, 6, 7}
	perms := []Permission{Perm("a", "x"), Perm("b", "y"), Perm("c", "z"), Perm("d", "w")}
	windows := []Window{{Until: now.Add(time.Hour)}, {Until: now.Add(-time.Hour)}, {From: now.Add(time.Hour)}}
	randomRule := func() Rule {
		id := staff[rng.IntN(len(staff))]
		var r Rule
		switch rng.IntN(10) {
		case 0, 1:
			return GrantRule(DepartmentSubject(depts[rng.IntN(len(depts))]), perms[rng.IntN(len(perms))])
		case 2:
			r = GrantRule(StaffSubject(id), perms[rng.IntN(len(perms))])
		case 3, 4, 5, 6:
			r = MemberRule(id, depts[rng.IntN(len(depts))])
		case 7:
			return FlagRule(DepartmentSubject(depts[rng.IntN(len(depts))]), FlagDisabled)
		default:
			return FlagRule(StaffSubject(id), []Flag{FlagDisabled, FlagFullAccess}[rng.IntN(2)])
		}
		if rng.IntN(8) == 0 {
			r = r.Within(windows[rng.IntN(len(windows))])
		}
		return r
	}
	policy := map[Rule]bool{}
	snap := buildSnapshot(nil, 0, clock)
	scanned := 0
	for step := range 60 {
		var d PolicyDelta
		inDelta := map[Rule]bool{}
		for range 1 + rng.IntN(200) {
			r := randomRule()
			if inDelta[r.key()] {
				continue
			}
			inDelta[r.key()] = true
			if policy[r.key()] && rng.IntN(3) == 0 {
				d.Remove = append(d.Remove, r)
				delete(policy, r.key())
			} else if !policy[r.key()] {
				d.Add = append(d.Add, r)
				policy[r.key()] = true
			}
		}
		b := newBuilder(snap)
		b.applyDelta(d)
		snap = b.finish()
		for _, p := range perms {
			h := snap.holdersOf(p)
			extra := snap.tempHolders(p, h)
			want := slices.Collect(snap.holdersByEntry(p, h, extra).All())
			got, ok := snap.scanHolders(snap.permIDs[p], h, extra, new(scanTable))
			require.True(t, ok)
			require.Equal(t, want, slices.Collect(got.All()), "step %d: %s", step, p)
			for i, x := range want {
				require.Equal(t, x.Staff, got.Staff(i))
				require.Equal(t, x.Sources, got.Sources(i))
				require.Equal(t, x.Sources, got.AppendSources(nil, i))
			}
			scanned += len(want)
			pid := snap.permIDs[p]
			var direct []StaffID
			for _, id := range staff {
				if e := snap.staffEntry(id); e != nil && e.direct.has(pid) {
					direct = append(direct, id)
				}
			}
			slices.Sort(direct)
			direct = slices.Compact(direct)
			set := snap.direct.At(uint64(pid))
			require.Equal(t, direct, set.appendTo(nil), "step %d: direct holders of %s", step, p)
		}
	}
	require.Greater(t, scanned, 1000, "the policies give holders")
}

// The zero Holders is the empty answer.
func TestHoldersZero(t *testing.T) {
	var h Holders
	require.Equal(t, 0, h.Len())
	require.Empty(t, slices.Collect(h.All()))
	require.Equal(t, 0, buildSnapshot(nil, 0, nil).whoCan(Perm("a", "x"), nil, nil, new(scanTable)).Len())
}
