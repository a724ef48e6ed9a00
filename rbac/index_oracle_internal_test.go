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

// The decision index, however it was built, answers like a naive
// recomputation from the policy: random change sequences (direct and
// temporary grants and memberships, replaced windows, full access,
// disabled staff and departments) over staff in several 65,536-ID blocks
// and beyond the dense chunks, with the clock moving past windows between
// changes. After every change three indexes are compared with the oracle:
// the one changed delta by delta, the one built from the whole policy at
// once (buildSnapshot) and the one streamed in random batches
// (buildStreamed, the cold start). Each answers every check and Explain
// as the oracle does, and WhoCan (by the entries and by the merge) gives
// exactly the oracle's holders, each with the oracle's reasons.
func TestIndexMatchesOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	staff := []StaffID{1, 2, 255, 256, 1<<blockBits - 1, 1 << blockBits, 1<<blockBits + 1, 2<<blockBits + 7,
		denseLimit - 1, denseLimit, denseLimit + 5, 1 << 40}
	for range 120 {
		staff = append(staff, StaffID(1+rng.IntN(4<<blockBits)))
	}
	slices.Sort(staff)
	staff = slices.Compact(staff)
	depts := []DepartmentID{1, 2, 3, 4, 5, 6}
	perms := []Permission{Perm("a", "x"), Perm("b", "y"), Perm("c", "z"), Perm("d", "w")}
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
	randomRule := func() Rule {
		id := staff[rng.IntN(len(staff))]
		var r Rule
		switch rng.IntN(12) {
		case 0, 1, 2:
			return GrantRule(DepartmentSubject(depts[rng.IntN(len(depts))]), perms[rng.IntN(len(perms))])
		case 3, 4:
			r = GrantRule(StaffSubject(id), perms[rng.IntN(len(perms))])
		case 5, 6, 7, 8:
			r = MemberRule(id, depts[rng.IntN(len(depts))])
		case 9:
			return FlagRule(DepartmentSubject(depts[rng.IntN(len(depts))]), FlagDisabled)
		default:
			return FlagRule(StaffSubject(id), []Flag{FlagDisabled, FlagFullAccess}[rng.IntN(2)])
		}
		if rng.IntN(4) == 0 {
			r = r.Within(window())
		}
		return r
	}

	policy := map[Rule]Rule{} // by key, with its window
	snap := buildSnapshot(nil, 0, clock)
	checked := 0
	for step := range 150 {
		prev, prevPolicy := snap, maps.Clone(policy)
		var d PolicyDelta
		inDelta := map[Rule]bool{}
		for range 1 + rng.IntN(1+rng.IntN(60)) {
			r := randomRule()
			k := r.key()
			if inDelta[k] {
				continue // a delta names a rule once, as txn builds them
			}
			inDelta[k] = true
			old, in := policy[k]
			switch {
			case !in:
				d.Add = append(d.Add, r)
				policy[k] = r
			case rng.IntN(3) == 0 && (k.Kind == RuleGrant && k.Subject.Staff != 0 || k.Kind == RuleMember):
				// Another window (or none) for the same rule: either
				// replaced by adding it, or removed and added in one delta.
				r = k.Within(Window{})
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
		b := newBuilder(snap)
		b.applyDelta(d)
		snap = b.finish()

		all := make([]Rule, 0, len(policy))
		for _, r := range policy {
			all = append(all, r)
		}
		rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		fresh := buildSnapshot(all, 0, clock)
		streamed, err := buildStreamed(func(batch func([]Rule) error) error {
			for rest := all; len(rest) > 0; {
				n := min(len(rest), 1+rng.IntN(40))
				if err := batch(slices.Clone(rest[:n])); err != nil {
					return err
				}
				rest = rest[n:]
			}
			return nil
		}, clock)
		require.NoError(t, err)

		o := oracle{policy: policy, now: now}
		// Copy-on-write: the snapshot the change started from still
		// answers as before, for its readers.
		checkOracle(t, fmt.Sprintf("step %d before the change", step), prev, oracle{policy: prevPolicy, now: now}, staff, perms)
		for name, s := range map[string]*snapshot{"incremental": snap, "fresh": fresh, "streamed": streamed} {
			checked += checkOracle(t, fmt.Sprintf("step %d %s", step, name), s, o, staff, perms)
		}
		if rng.IntN(5) == 0 {
			now = now.Add(time.Duration(rng.IntN(40)) * time.Minute)
		}
	}
	require.Greater(t, checked, 5000, "the policies give holders")
}

// checkOracle compares every answer of s with o's and returns how many
// holders it compared.
func checkOracle(t *testing.T, what string, s *snapshot, o oracle, staff []StaffID, perms []Permission) int {
	t.Helper()
	checked := 0
	for _, p := range slices.Concat(perms, []Permission{Perm("never", "granted")}) {
		var want []Holder
		var wantIDs []StaffID
		for _, id := range staff {
			allowed, srcs := o.decide(id, p)
			d := s.explain(id, p)
			if can := s.can(id, p); can != allowed || d.Allowed != allowed || allowed && !slices.Equal(srcs, d.Sources) {
				// Only on a difference: testify costs more than the checks.
				require.Equal(t, allowed, can, "%s: can(%d, %s)", what, id, p)
				require.Equal(t, allowed, d.Allowed, "%s: explain(%d, %s)", what, id, p)
				require.Equal(t, srcs, d.Sources, "%s: explain(%d, %s) sources", what, id, p)
			}
			if allowed {
				want = append(want, Holder{Staff: id, Sources: srcs})
				wantIDs = append(wantIDs, id)
			}
		}
		h := s.holdersOf(p)
		extra := s.tempHolders(p, h)
		require.Equal(t, len(want), h.len()+len(extra), "%s: holder count of %s", what, p)
		// The members themselves, before WhoCan trusts the count.
		if ids := slices.Sorted(slices.Values(append(h.appendTo(nil), extra...))); !slices.Equal(wantIDs, ids) {
			require.Equal(t, wantIDs, ids, "%s: holders of %s", what, p)
		}
		if got := slices.Collect(s.whoCan(p, h, extra, new(scanTable)).All()); !sameHolders(want, got) {
			require.Equal(t, want, nonNil(got), "%s: WhoCan(%s)", what, p)
		}
		if pid, known := s.permIDs[p]; known {
			scanned, ok := s.scanHolders(pid, h, extra, new(scanTable))
			require.True(t, ok)
			if got := slices.Collect(scanned.All()); !sameHolders(want, got) {
				require.Equal(t, want, nonNil(got), "%s: WhoCan(%s) by the merge", what, p)
			}
		}
		checked += len(want)
	}
	return checked
}

// sameHolders reports whether a and b list the same holders with the
// same sources: the cheap comparison, before require.Equal says how they
// differ.
func sameHolders(a, b []Holder) bool {
	return slices.EqualFunc(a, b, func(x, y Holder) bool { return x.Staff == y.Staff && slices.Equal(x.Sources, y.Sources) })
}

// nonNil makes an empty answer comparable with the oracle's nil.
func nonNil(hs []Holder) []Holder {
	if len(hs) == 0 {
		return nil
	}
	return hs
}

// oracle decides from the policy's rules themselves, one by one.
type oracle struct {
	policy map[Rule]Rule // by key, with its window
	now    time.Time
}

func (o oracle) rule(r Rule) (Rule, bool) {
	x, ok := o.policy[r.key()]
	return x, ok && x.Window.Contains(o.now)
}

// decide: whether id may perform p, and why (full access, then active
// departments giving p by ID, then a direct grant; a temporary one says
// until when), as Explain documents it.
func (o oracle) decide(id StaffID, p Permission) (bool, []Source) {
	if _, off := o.rule(FlagRule(StaffSubject(id), FlagDisabled)); off {
		return false, nil
	}
	var srcs []Source
	if _, full := o.rule(FlagRule(StaffSubject(id), FlagFullAccess)); full {
		srcs = append(srcs, Source{Kind: SourceFullAccess})
	}
	for _, d := range []DepartmentID{1, 2, 3, 4, 5, 6} {
		m, member := o.rule(MemberRule(id, d))
		if !member {
			continue
		}
		_, off := o.rule(FlagRule(DepartmentSubject(d), FlagDisabled))
		_, gives := o.rule(GrantRule(DepartmentSubject(d), p))
		if !off && gives {
			srcs = append(srcs, Source{Kind: SourceDepartment, Department: d, Until: m.Window.Until})
		}
	}
	if g, direct := o.rule(GrantRule(StaffSubject(id), p)); direct {
		srcs = append(srcs, Source{Kind: SourceDirect, Until: g.Window.Until})
	}
	return len(srcs) > 0, srcs
}
