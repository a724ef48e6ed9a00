package clients

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/engine"
)

// each calls fn for every entry of t, dense IDs first, by ID.
func (t *table[K, V]) each(fn func(K, *V)) {
	for i := range t.dense.Len() {
		if ch := t.dense.At(uint64(i)); ch != nil {
			for j, e := range ch.e {
				if e != nil {
					fn(K(i<<chunkBits+j), e)
				}
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(t.far)) {
		fn(k, t.far[k])
	}
}

// dump prints everything a snapshot holds, in ID order.
func (s *snapshot) dump() string {
	var b strings.Builder
	s.clients.each(func(id ClientID, e *clientEntry) {
		fmt.Fprintf(&b, "client %d first=%d disabled=%v users=%v\n", id, e.first, e.disabled, e.users)
	})
	s.users.each(func(id ClientUserID, e *userEntry) {
		fmt.Fprintf(&b, "user %d client=%d first=%v disabled=%v roles=%v\n", id, e.client, e.first, e.disabled, e.roles)
	})
	s.roles.each(func(id RoleID, e *roleEntry) {
		fmt.Fprintf(&b, "role %d client=%d perms=%v members=%v\n", id, e.client, e.perms, e.members)
	})
	return b.String()
}

func orNil(ids []ClientUserID) []ClientUserID {
	if len(ids) == 0 {
		return nil
	}
	return ids
}

// checkLists: an account's users are exactly the user entries of that
// client, and a role's members exactly the users listing the role.
func checkLists(t *testing.T, s *snapshot, step int) {
	t.Helper()
	users := map[ClientID][]ClientUserID{}
	members := map[RoleID][]ClientUserID{}
	s.users.each(func(id ClientUserID, e *userEntry) {
		if e.client != 0 {
			users[e.client] = append(users[e.client], id)
		}
		for _, r := range e.roles {
			members[r] = append(members[r], id)
		}
	})
	s.clients.each(func(id ClientID, e *clientEntry) {
		require.Equal(t, users[id], slices.Clip(orNil(e.users)), "step %d: users of client %d", step, id)
		delete(users, id)
	})
	require.Empty(t, users, "step %d: users of a client without entry", step)
	s.roles.each(func(id RoleID, e *roleEntry) {
		require.Equal(t, members[id], slices.Clip(orNil(e.members)), "step %d: members of role %d", step, id)
	})
}

// The index is copy-on-write: every published snapshot stays as it was
// while later ones are built from it, whatever the change (users created
// and deleted, roles assigned and taken, accounts switched off and on,
// IDs in dense chunks and far beyond them), and in each one the lists an
// entry keeps (an account's users, a role's members) agree with the user
// entries.
func TestIndexCopyOnWrite(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	ids := func(far int64) int64 {
		if rng.IntN(4) == 0 {
			return far + rng.Int64N(50)
		}
		return 1 + rng.Int64N(700) // three chunks
	}
	snap := newSnapshot()
	var versions []*snapshot
	var dumps []string
	for step := range 300 {
		b := newBuilder(snap)
		for range 1 + rng.IntN(3) { // several changes on one builder: entries it owns already
			var en entities
			var d Delta
			switch rng.IntN(6) {
			case 0, 1:
				c := ClientID(1 + rng.IntN(4))
				if rng.IntN(5) == 0 {
					c = denseLimit + 3
				}
				en.users = append(en.users, UserRef{ID: ClientUserID(ids(denseLimit)), Client: c})
				en.roles = append(en.roles, RoleRef{ID: RoleID(ids(1 << 40)), Client: c})
			case 2, 3:
				u := ClientUserID(ids(denseLimit))
				if ue := b.next.users.get(u); ue != nil {
					var r RoleID
					b.next.roles.each(func(id RoleID, e *roleEntry) {
						if e.client == ue.client && (r == 0 || rng.IntN(3) == 0) {
							r = id
						}
					})
					if r != 0 {
						rule := AssignmentRule(ue.client, u, r)
						if rng.IntN(2) == 0 {
							d.Add = append(d.Add, rule)
						} else {
							d.Remove = append(d.Remove, rule)
						}
					}
				}
			case 4:
				u := ClientUserID(ids(denseLimit))
				if ue := b.next.users.get(u); ue != nil {
					for _, r := range ue.roles {
						d.Remove = append(d.Remove, AssignmentRule(ue.client, u, r))
					}
					en.delUsers = append(en.delUsers, u)
				}
			case 5:
				c := ClientID(1 + rng.IntN(4))
				if e := b.next.clients.get(c); e != nil && e.disabled {
					d.Remove = append(d.Remove, ClientDisabledRule(c))
				} else {
					d.Add = append(d.Add, ClientDisabledRule(c))
				}
			}
			b.applyChange(en, d)
		}
		snap = b.next
		checkLists(t, snap, step)
		versions = append(versions, snap)
		dumps = append(dumps, snap.dump())
	}
	for i, v := range versions {
		require.Equal(t, dumps[i], v.dump(), "version %d changed after it was published", i)
	}
}

// Applying this instance's own commit publishes the index its Authorize
// computed only when the change was staged against the current index;
// otherwise the entry is applied to the current one.
func TestApplyOwnCommit(t *testing.T) {
	s := &Service{}
	base := buildSnapshot(State{Clients: []ClientID{1}, Users: []UserRef{{ID: 1, Client: 1}},
		Roles: []RoleRef{{ID: 1, Client: 1}, {ID: 2, Client: 1}}})
	staged := func(base *snapshot, d Delta) *ruleLog {
		b := newBuilder(base)
		b.applyChange(entities{}, d)
		return &ruleLog{Add: d.Add, Remove: d.Remove, base: base, next: b.next}
	}
	give := Delta{Add: []Rule{AssignmentRule(1, 1, 1)}}
	dom := &clientDomain{s: s}

	s.snap.Store(base)
	lg := staged(base, give)
	want := lg.next
	pub, err := dom.Apply([]engine.Entry{{Version: 1, Local: lg}}, 1)
	require.NoError(t, err)
	pub()
	require.Same(t, want, s.snap.Load(), "staged against the current index: published as computed")
	require.Equal(t, int64(1), s.snap.Load().version)

	// Staged against base, but the index has moved on (version 1 above):
	// the entry is applied to the current index, which keeps role 1.
	lg = staged(base, Delta{Add: []Rule{AssignmentRule(1, 1, 2)}})
	pub, err = dom.Apply([]engine.Entry{{Version: 2, Local: lg}}, 2)
	require.NoError(t, err)
	pub()
	require.NotSame(t, lg.next, s.snap.Load())
	require.Equal(t, []RoleID{1, 2}, s.snap.Load().users.get(1).roles)
	require.Equal(t, int64(2), s.snap.Load().version)
}

// A permSet is what a map of sections to actions would hold, read by a
// scan or, past eight sections, a binary search; with leaves the set it
// was called on as it was.
func TestPermSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var p permSet
	model := map[Section]actionSet{}
	for range 2000 {
		sec := Section(fmt.Sprintf("s%02d", rng.IntN(20)))
		set := actionSet(rng.IntN(16))
		if rng.IntN(3) == 0 {
			set = 0
		}
		before, beforeDump := p, fmt.Sprint(p)
		p = p.with(sec, set)
		require.Equal(t, beforeDump, fmt.Sprint(before), "with changed its receiver")
		if set == 0 {
			delete(model, sec)
		} else {
			model[sec] = set
		}
		require.Len(t, p, len(model))
		require.True(t, slices.IsSortedFunc(p, func(a, b sectionActions) int { return strings.Compare(string(a.sec), string(b.sec)) }))
		for i := range 22 {
			s := Section(fmt.Sprintf("s%02d", i))
			require.Equal(t, model[s], p.get(s), "section %s", s)
		}
		require.Equal(t, rights(model), p.rights())
	}
}
