package clients

import (
	"maps"
	"slices"
)

// The client decision index. Checks are served from an immutable snapshot
// published through an atomic pointer; a change builds the next snapshot by
// copying only the shards and entries it touches.

const shards = 64

type actionSet uint8

func bit(a Action) actionSet { return 1 << a }

type clientEntry struct {
	first    ClientUserID
	disabled bool
}

type userEntry struct {
	client   ClientID
	first    bool
	disabled bool
	roles    []RoleID // sorted
}

type roleEntry struct {
	client  ClientID
	perms   map[Section]actionSet
	members map[ClientUserID]struct{}
}

// table is a sharded map of immutable entries.
type table[K ~int64, V any] [shards]map[K]*V

func (t *table[K, V]) get(k K) *V { return t[uint64(k)%shards][k] }

type snapshot struct {
	version int64
	clients table[ClientID, clientEntry]
	users   table[ClientUserID, userEntry]
	roles   table[RoleID, roleEntry]
}

func newSnapshot() *snapshot {
	s := &snapshot{}
	for i := range shards {
		s.clients[i] = map[ClientID]*clientEntry{}
		s.users[i] = map[ClientUserID]*userEntry{}
		s.roles[i] = map[RoleID]*roleEntry{}
	}
	return s
}

// writer edits one table of the next snapshot copy-on-write.
type writer[K ~int64, V any] struct {
	t      *table[K, V]
	copied [shards]bool
	own    map[K]bool
	clone  func(*V) *V
}

func newWriter[K ~int64, V any](t *table[K, V], clone func(*V) *V) *writer[K, V] {
	return &writer[K, V]{t: t, own: map[K]bool{}, clone: clone}
}

func (w *writer[K, V]) shard(k K) map[K]*V {
	i := uint64(k) % shards
	if !w.copied[i] {
		w.t[i] = maps.Clone(w.t[i])
		w.copied[i] = true
	}
	return w.t[i]
}

// edit returns a private copy of the entry for k, creating it if absent.
func (w *writer[K, V]) edit(k K) *V {
	sh := w.shard(k)
	e := sh[k]
	switch {
	case e == nil:
		e = new(V)
	case !w.own[k]:
		e = w.clone(e)
	default:
		return e
	}
	sh[k] = e
	w.own[k] = true
	return e
}

func (w *writer[K, V]) del(k K) {
	delete(w.shard(k), k)
	delete(w.own, k)
}

type builder struct {
	next    *snapshot
	clients *writer[ClientID, clientEntry]
	users   *writer[ClientUserID, userEntry]
	roles   *writer[RoleID, roleEntry]
}

func newBuilder(base *snapshot) *builder {
	next := *base
	return &builder{
		next:    &next,
		clients: newWriter(&next.clients, func(e *clientEntry) *clientEntry { c := *e; return &c }),
		users: newWriter(&next.users, func(e *userEntry) *userEntry {
			c := *e
			c.roles = slices.Clone(e.roles)
			return &c
		}),
		roles: newWriter(&next.roles, func(e *roleEntry) *roleEntry {
			c := *e
			c.perms = maps.Clone(e.perms)
			c.members = maps.Clone(e.members)
			return &c
		}),
	}
}

func (b *builder) role(id RoleID, client ClientID) *roleEntry {
	r := b.roles.edit(id)
	if r.client == 0 {
		r.client = client
	}
	if r.perms == nil {
		r.perms = map[Section]actionSet{}
	}
	if r.members == nil {
		r.members = map[ClientUserID]struct{}{}
	}
	return r
}

func (b *builder) user(id ClientUserID, client ClientID) *userEntry {
	u := b.users.edit(id)
	if u.client == 0 {
		u.client = client
	}
	return u
}

// apply adds (add=true) or removes one rule; like Casbin, adding a present
// rule or removing an absent one changes nothing.
func (b *builder) apply(r Rule, add bool) {
	switch r.Kind {
	case RulePermission:
		e := b.role(r.Role, r.Client)
		if add {
			e.perms[r.Permission.Section] |= bit(r.Permission.Action)
		} else if e.perms[r.Permission.Section] &^= bit(r.Permission.Action); e.perms[r.Permission.Section] == 0 {
			delete(e.perms, r.Permission.Section)
		}
	case RuleAssignment:
		u := b.user(r.User, r.Client)
		e := b.role(r.Role, r.Client)
		i, found := slices.BinarySearch(u.roles, r.Role)
		if add {
			e.members[r.User] = struct{}{}
			if !found {
				u.roles = slices.Insert(u.roles, i, r.Role)
			}
		} else {
			delete(e.members, r.User)
			if found {
				u.roles = slices.Delete(u.roles, i, i+1)
			}
		}
	case RuleFirstUser:
		b.user(r.User, r.Client).first = add
		c := b.clients.edit(r.Client)
		if add {
			c.first = r.User
		} else if c.first == r.User {
			c.first = 0
		}
	case RuleDisabled:
		if r.User != 0 {
			b.user(r.User, 0).disabled = add
		} else {
			b.clients.edit(r.Client).disabled = add
		}
	}
}

// entities are the row-level changes of one commit, applied with its
// policy delta.
type entities struct {
	clients  []ClientID
	users    []UserRef
	roles    []RoleRef
	delUsers []ClientUserID
	delRoles []RoleID
}

func (b *builder) applyChange(en entities, d Delta) {
	for _, c := range en.clients {
		b.clients.edit(c)
	}
	for _, u := range en.users {
		b.user(u.ID, u.Client)
	}
	for _, r := range en.roles {
		b.role(r.ID, r.Client)
	}
	for _, r := range d.Remove {
		b.apply(r, false)
	}
	for _, r := range d.Add {
		b.apply(r, true)
	}
	for _, u := range en.delUsers {
		b.users.del(u)
	}
	for _, r := range en.delRoles {
		b.roles.del(r)
	}
}

func buildSnapshot(st State) *snapshot {
	b := newBuilder(newSnapshot())
	b.applyChange(entities{clients: st.Clients, users: st.Users, roles: st.Roles}, Delta{Add: st.Rules})
	return b.next
}

// hasRule reports whether r is in the policy the snapshot holds.
func (s *snapshot) hasRule(r Rule) bool {
	switch r.Kind {
	case RulePermission:
		e := s.roles.get(r.Role)
		return e != nil && e.client == r.Client && e.perms[r.Permission.Section]&bit(r.Permission.Action) != 0
	case RuleAssignment:
		u := s.users.get(r.User)
		if u == nil || u.client != r.Client {
			return false
		}
		_, found := slices.BinarySearch(u.roles, r.Role)
		return found
	case RuleFirstUser:
		u := s.users.get(r.User)
		return u != nil && u.first && u.client == r.Client
	case RuleDisabled:
		if r.User != 0 {
			u := s.users.get(r.User)
			return u != nil && u.disabled
		}
		c := s.clients.get(r.Client)
		return c != nil && c.disabled
	}
	return false
}

// rolePermissions lists what role e holds in catalog order (sections in
// the order given, unknown sections after, by name).
func rolePermissions(e *roleEntry, order []SectionInfo) []Permission {
	var out []Permission
	seen := map[Section]bool{}
	emit := func(sec Section) {
		set := e.perms[sec]
		for _, a := range Actions() {
			if set&bit(a) != 0 {
				out = append(out, Perm(sec, a))
			}
		}
		seen[sec] = true
	}
	for _, si := range order {
		emit(si.Section)
	}
	rest := slices.Sorted(maps.Keys(e.perms))
	for _, sec := range rest {
		if !seen[sec] {
			emit(sec)
		}
	}
	return out
}
