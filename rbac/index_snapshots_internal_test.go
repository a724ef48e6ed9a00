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
// its policy and rechecks all of them against their own oracle at a few
// points and at the end, so a write into a grain shared with a snapshot
// two or more steps old fails as surely as one into the last.
//
// The staff sit on the grain edges: the row groups of a chunk (63/64/65,
// 127/128, 191/192, 255/256), the chunk directory's leaves
// (16,383/16,384), the row directory's leaves and the bitmap pieces
// (4,095/4,096/4,097 and their multiples), the 65,536-ID blocks and the
// dense limit. Department 1 has thousands of members in block 0, so its
// member set and its permissions' holders are bitmaps, and waves of
// members leaving and joining turn them into arrays and back. Changes mix
// memberships, department grants and disabled departments reaching
// thousands of rows, direct and temporary grants (and temporary rules
// given other windows), full access and disabled flags, batches that
// change one row group several times (several deltas in one builder, as a
// catch-up applies them), and once, permissions enough to widen every
// row; new permissions and departments grow tables a snapshot shares
// until then (checkTables). Now and then a sibling is built on the same
// snapshot (a write that loses a race) and kept too; and while the kept
// snapshots are rechecked, in parallel, a writer builds on the newest, as
// in production, where readers take no lock: with -race, a write into
// what a reader reads is a data race.
func TestSnapshotsStayAsPublished(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	g := newSnapshotChanges("main", rand.New(rand.NewPCG(61, 62)), &now)
	require.Greater(t, len(g.bulk), arrayMax, "department 1's members fill a bitmap block")
	checked := append(slices.Clone(g.perms), g.wide[len(g.wide)-1])

	type published struct {
		name   string
		snap   *snapshot
		policy map[Rule]Rule
	}
	// check compares h with its oracle and returns how many holders it
	// compared; a panic (a structure a builder corrupted) fails as clearly
	// as a wrong answer, naming the snapshot.
	check := func(t *testing.T, what string, h published) int {
		what = h.name + " " + what
		n := 0
		require.NotPanics(t, func() {
			checkTables(t, what, h.snap)
			n = checkOracle(t, what, h.snap, oracle{policy: h.policy, now: now}, g.staff, checked)
		}, what)
		return n
	}
	build := func(t *testing.T, what string, b *builder) *snapshot {
		var next *snapshot
		require.NotPanics(t, func() { next = b.finish() }, what)
		return next
	}

	// The first snapshot is built whole (department 1 with its members
	// and two permissions), so later changes copy grains a fresh build
	// made.
	initial := g.join(g.bulk, false).Add
	for _, p := range g.perms[:2] {
		r := GrantRule(DepartmentSubject(snapshotBulkDept), p)
		initial = append(initial, r)
		g.put(r)
	}
	tip := published{"snapshot 0", buildSnapshot(initial, 0, clock), maps.Clone(g.policy)}
	require.True(t, snapshotBitmap(tip.snap))
	history := []published{tip}
	holders := check(t, "as built", tip)

	// recheck compares every kept snapshot with its oracle again, in
	// parallel, while a writer builds a few snapshots on the newest.
	recheck := func(step int) {
		ok := t.Run(fmt.Sprintf("after step %d", step), func(t *testing.T) {
			w := g.fork(fmt.Sprintf("writer%d", step), uint64(step), tip.policy)
			base := tip
			t.Run("a writer meanwhile", func(t *testing.T) {
				t.Parallel()
				for range 3 {
					b := newBuilder(base.snap)
					b.applyDelta(w.delta(true))
					base = published{"written meanwhile", build(t, "a writer meanwhile", b), w.policy}
				}
				check(t, "as built", base)
			})
			for _, h := range history {
				t.Run(h.name, func(t *testing.T) {
					t.Parallel()
					check(t, fmt.Sprintf("rechecked after step %d", step), h)
				})
			}
		})
		require.True(t, ok, "after step %d: a kept snapshot (or the writer meanwhile) failed", step)
	}

	toArray, toBitmap, temps, siblings := 0, 0, 0, 0
	const steps = 24
	widened := false
	for step := 1; step <= steps; step++ {
		b := newBuilder(tip.snap)
		for range 1 + g.rng.IntN(4) { // several deltas, as a catch-up applies them
			b.applyDelta(g.delta(true))
		}
		if !widened && step >= steps/2 {
			b.applyDelta(g.widen())
			widened = true
		}
		if g.rng.IntN(3) == 0 {
			// Meanwhile another change is built on the same snapshot (a
			// write that loses a race): two builders on one base write
			// into neither, and the sibling is kept too.
			f := g.fork(fmt.Sprintf("sibling%d", step), uint64(step)<<32, tip.policy)
			sb := newBuilder(tip.snap)
			sb.applyDelta(f.delta(false))
			name := fmt.Sprintf("sibling of snapshot %d", step)
			sib := published{name, build(t, name, sb), f.policy}
			history = append(history, sib)
			holders += check(t, "as built", sib)
			siblings++
		}
		next := build(t, fmt.Sprintf("step %d", step), b)
		if mark := tip.snap.words*64 - 1; next.words > tip.snap.words && mark < len(next.perms) {
			// The permission whose bit was the temporary mark of the
			// narrower rows: its holders are checked from now on.
			checked = append(checked, next.perms[mark])
		}
		switch was, is := snapshotBitmap(tip.snap), snapshotBitmap(next); {
		case was && !is:
			toArray++
		case is && !was:
			toBitmap++
		}
		temps = max(temps, next.temp.len())
		tip = published{fmt.Sprintf("snapshot %d", step), next, maps.Clone(g.policy)}
		history = append(history, tip)
		holders += check(t, "as built", tip)
		if g.rng.IntN(4) == 0 {
			now = now.Add(time.Duration(g.rng.IntN(20)) * time.Minute)
		}
		if step%8 == 0 || step == steps {
			recheck(step)
		}
	}
	t.Logf("%d snapshots kept, %d of them siblings; department 1's members turned into an array %d times and into a bitmap %d times; up to %d staff with temporary rules; %d holders compared",
		len(history), siblings, toArray, toBitmap, temps, holders)
	require.Positive(t, toArray, "department 1's members turned into an array")
	require.Positive(t, toBitmap, "department 1's members turned into a bitmap again")
	require.Positive(t, temps, "rows with temporary rules")
	require.Positive(t, g.rewindowed, "temporary rules given other windows")
	require.Positive(t, siblings)
	require.Greater(t, tip.snap.words, history[0].snap.words, "the rows widened")
	require.Greater(t, holders, 50000, "the policies give holders")
}

// checkTables checks that s's own tables agree: each permission's ID
// names it, and each department's slot holds it.
func checkTables(t *testing.T, what string, s *snapshot) {
	t.Helper()
	require.Len(t, s.perms, len(s.permIDs), "%s: permissions", what)
	for p, pid := range s.permIDs {
		if s.perms[pid] != p {
			require.Equal(t, p, s.perms[pid], "%s: permission %d", what, pid)
		}
	}
	for id, slot := range s.deptSlots {
		d := s.deptAt(slot)
		require.NotNil(t, d, "%s: department %d, slot %d", what, id, slot)
		require.Equal(t, id, d.id, "%s: department in slot %d", what, slot)
	}
}

// snapshotBulkDept is the department of thousands of members.
const snapshotBulkDept = DepartmentID(1)

// snapshotBitmap reports whether department 1's members in block 0 are a
// bitmap (else an array).
func snapshotBitmap(s *snapshot) bool {
	m := s.dept(snapshotBulkDept).members
	return m.len() > 0 && m.keys[0] == 0 && m.blks[0].bm != nil
}

// snapshotChanges makes the random changes of TestSnapshotsStayAsPublished
// and keeps the policy they lead to.
type snapshotChanges struct {
	name string // of the permissions it makes up
	rng  *rand.Rand
	now  *time.Time // the test's clock, for windows

	edges []StaffID      // on the copy grains' edges
	bulk  []StaffID      // department 1's members at the start
	staff []StaffID      // both: everyone the policies name
	depts []DepartmentID // the main line's four; a fork's also two new ones
	perms []Permission
	wide  []Permission // granted at once: rows widen past 256 bits
	fresh int          // permissions made up so far

	policy    map[Rule]Rule // by key, with its window
	temporary []Rule        // keys of the rules added with a window, in order
	left      bool          // a wave of department 1's members has left

	rewindowed int // temporary rules given another window
}

func newSnapshotChanges(name string, rng *rand.Rand, now *time.Time) *snapshotChanges {
	g := &snapshotChanges{
		name:   name,
		rng:    rng,
		now:    now,
		edges:  snapshotEdgeStaff(),
		depts:  []DepartmentID{1, 2, 3, 4},
		perms:  []Permission{Perm("a", "x"), Perm("b", "y"), Perm("c", "z")},
		wide:   make([]Permission, 300),
		policy: map[Rule]Rule{},
	}
	for id := StaffID(15); id < 1<<blockBits; id += 15 {
		g.bulk = append(g.bulk, id)
	}
	g.staff = slices.Concat(g.edges, g.bulk)
	slices.Sort(g.staff)
	g.staff = slices.Compact(g.staff)
	for i := range g.wide {
		g.wide[i] = Perm("wide", Action(fmt.Sprintf("p%03d", i)))
	}
	return g
}

// fork returns a generator of other changes, from policy (a copy), with
// its own random source and name. It also uses departments 5 and 6 (the
// oracle's last), which the main line leaves alone: their first rule
// gives them a slot in a table (deptSlots) its base shares.
func (g *snapshotChanges) fork(name string, seed uint64, policy map[Rule]Rule) *snapshotChanges {
	f := *g
	f.name = name
	f.rng = rand.New(rand.NewPCG(seed, 63))
	f.depts = []DepartmentID{1, 2, 3, 4, 5, 6}
	f.policy = maps.Clone(policy)
	f.temporary = slices.Clone(g.temporary)
	return &f
}

func (g *snapshotChanges) window() Window {
	now := *g.now
	switch g.rng.IntN(3) {
	case 0:
		return Window{Until: now.Add(time.Duration(1+g.rng.IntN(90)) * time.Minute)}
	case 1:
		return Window{Until: now.Add(-time.Hour)}
	default:
		from := now.Add(time.Duration(1+g.rng.IntN(60)) * time.Minute)
		return Window{From: from, Until: from.Add(time.Hour)}
	}
}

// staffRule is a rule about id: a grant, a membership or a flag,
// sometimes temporary.
func (g *snapshotChanges) staffRule(id StaffID) Rule {
	var r Rule
	switch g.rng.IntN(8) {
	case 0, 1:
		r = GrantRule(StaffSubject(id), g.perms[g.rng.IntN(len(g.perms))])
	case 2, 3, 4:
		r = MemberRule(id, g.depts[g.rng.IntN(len(g.depts))])
	default:
		return FlagRule(StaffSubject(id), []Flag{FlagDisabled, FlagFullAccess}[g.rng.IntN(2)])
	}
	if g.rng.IntN(3) == 0 {
		r = r.Within(g.window())
	}
	return r
}

func (g *snapshotChanges) deptRule(d DepartmentID) Rule {
	if g.rng.IntN(4) == 0 {
		return FlagRule(DepartmentSubject(d), FlagDisabled)
	}
	return GrantRule(DepartmentSubject(d), g.perms[g.rng.IntN(len(g.perms))])
}

// group lists the staff in id's row group (64 rows).
func (g *snapshotChanges) group(id StaffID) []StaffID {
	i, _ := slices.BinarySearch(g.staff, id&^(groupSize-1))
	j, _ := slices.BinarySearch(g.staff, id|(groupSize-1)+1)
	return g.staff[i:j]
}

func (g *snapshotChanges) put(r Rule) {
	g.policy[r.key()] = r
	if !r.Window.IsZero() {
		g.temporary = append(g.temporary, r.key())
	}
}

// delta is one random change (with waves: some are department 1's members
// leaving or joining).
func (g *snapshotChanges) delta(waves bool) PolicyDelta {
	op := g.rng.IntN(13)
	if waves {
		op = g.rng.IntN(15)
	}
	switch {
	case op < 4: // a few rules about staff on the edges
		var rs []Rule
		for range 1 + g.rng.IntN(8) {
			if g.rng.IntN(4) == 0 {
				rs = append(rs, g.deptRule(g.depts[g.rng.IntN(len(g.depts))]))
			} else {
				rs = append(rs, g.staffRule(g.edges[g.rng.IntN(len(g.edges))]))
			}
		}
		return g.change(rs)
	case op < 8: // one row group, several rows and rules
		grp := g.group(g.edges[g.rng.IntN(len(g.edges))])
		var rs []Rule
		for range 2 + g.rng.IntN(10) {
			rs = append(rs, g.staffRule(grp[g.rng.IntN(len(grp))]))
		}
		return g.change(rs)
	case op < 10: // department 1's permissions or status: its thousands of rows
		return g.change([]Rule{g.deptRule(snapshotBulkDept)})
	case op < 12:
		return g.rewindow()
	case op < 13: // a permission nobody held: the permission tables grow
		g.fresh++
		p := Perm(Function(g.name), Action(fmt.Sprint(g.fresh)))
		sub := StaffSubject(g.edges[g.rng.IntN(len(g.edges))])
		if g.rng.IntN(2) == 0 {
			sub = DepartmentSubject(g.depts[g.rng.IntN(len(g.depts))])
		}
		return g.change([]Rule{GrantRule(sub, p)})
	case g.left: // they all join again: its blocks turn bitmaps
		g.left = false
		return g.join(g.bulk, false)
	default: // a wave of its members leaves: its blocks turn arrays
		n := 2400 + g.rng.IntN(600)
		start := g.rng.IntN(len(g.bulk) - n)
		g.left = true
		return g.join(g.bulk[start:start+n], true)
	}
}

// change turns rules into a delta against the policy, as txn builds one
// (each rule named once): a rule not in the policy is added; one in it
// is removed or, sometimes, given another window (or none).
func (g *snapshotChanges) change(rules []Rule) PolicyDelta {
	var d PolicyDelta
	named := map[Rule]bool{}
	for _, r := range rules {
		k := r.key()
		if named[k] {
			continue
		}
		named[k] = true
		old, in := g.policy[k]
		switch {
		case !in:
			d.Add = append(d.Add, r)
			g.put(r)
		case g.rng.IntN(3) == 0 && (k.Kind == RuleGrant && k.Subject.Staff != 0 || k.Kind == RuleMember):
			r = k
			if old.Window.IsZero() || g.rng.IntN(2) == 0 {
				r = k.Within(g.window())
			}
			if g.rng.IntN(2) == 0 {
				d.Remove = append(d.Remove, k)
			}
			d.Add = append(d.Add, r)
			g.put(r)
		default:
			d.Remove = append(d.Remove, k)
			delete(g.policy, k)
		}
	}
	return d
}

// rewindow gives some temporary rules of the policy another window (or
// none): their staff's entries change in place of the old rule.
func (g *snapshotChanges) rewindow() PolicyDelta {
	var d PolicyDelta
	if len(g.temporary) == 0 {
		return d
	}
	named := map[Rule]bool{}
	for range 1 + g.rng.IntN(4) {
		k := g.temporary[g.rng.IntN(len(g.temporary))]
		if old, in := g.policy[k]; !in || old.Window.IsZero() || named[k] {
			continue
		}
		named[k] = true
		r := k.Within(g.window())
		if g.rng.IntN(4) == 0 {
			r = k
		}
		if g.rng.IntN(2) == 0 {
			d.Remove = append(d.Remove, k)
		}
		d.Add = append(d.Add, r)
		g.put(r)
		g.rewindowed++
	}
	return d
}

// join makes ids members of department 1 (leave: no longer).
func (g *snapshotChanges) join(ids []StaffID, leave bool) PolicyDelta {
	var d PolicyDelta
	for _, id := range ids {
		k := MemberRule(id, snapshotBulkDept)
		_, in := g.policy[k]
		switch {
		case leave && in:
			d.Remove = append(d.Remove, k)
			delete(g.policy, k)
		case !leave && !in:
			d.Add = append(d.Add, k)
			g.put(k)
		}
	}
	return d
}

// widen grants the 300 wide permissions to department 1 and to staff on
// the edges: every row is copied wider, and every published one stays.
func (g *snapshotChanges) widen() PolicyDelta {
	var rs []Rule
	for _, p := range g.wide {
		rs = append(rs, GrantRule(DepartmentSubject(snapshotBulkDept), p), GrantRule(StaffSubject(g.edges[g.rng.IntN(len(g.edges))]), p))
	}
	return g.change(rs)
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
