package clients

import (
	"cmp"
	"maps"
	"slices"
)

// The client decision index. Checks are served from an immutable snapshot
// published through an atomic pointer; a change builds the next snapshot by
// copying only the chunks and entries it touches (see table), and the
// lists inside an entry (an account's users, a role's members) only when
// it changes them, so a write costs the same at a thousand client users
// and at a million.

type actionSet uint8

func bit(a Action) actionSet { return 1 << a }

type clientEntry struct {
	first    ClientUserID
	disabled bool
	// users are the account's users (sorted): every user entry whose
	// client is this one. usersOwn is the builder that copied the list.
	users    []ClientUserID
	usersOwn *owner
}

type userEntry struct {
	client   ClientID
	first    bool
	disabled bool
	roles    []RoleID // sorted
}

type roleEntry struct {
	client ClientID
	perms  permSet
	// members are the users holding the role (sorted); membersOwn is the
	// builder that copied the list.
	members    []ClientUserID
	membersOwn *owner
}

// permSet is what a role holds: the actions per section, one element per
// section holding some, sorted by section. It is never changed once built
// (with returns a new one): a role holds a few sections, so a copy is
// small and a lookup a short scan (a binary search past eight).
type permSet []sectionActions

type sectionActions struct {
	sec Section
	set actionSet
}

func (p permSet) get(sec Section) actionSet {
	if len(p) > 8 {
		if i, ok := slices.BinarySearchFunc(p, sec, func(s sectionActions, sec Section) int { return cmp.Compare(s.sec, sec) }); ok {
			return p[i].set
		}
		return 0
	}
	for _, s := range p {
		if s.sec == sec {
			return s.set
		}
	}
	return 0
}

// with returns p with sec's actions set to set (none: left out).
func (p permSet) with(sec Section, set actionSet) permSet {
	out := make(permSet, 0, len(p)+1)
	placed := set == 0
	for _, s := range p {
		if !placed && sec < s.sec {
			out = append(out, sectionActions{sec, set})
			placed = true
		}
		if s.sec != sec {
			out = append(out, s)
		}
	}
	if !placed {
		out = append(out, sectionActions{sec, set})
	}
	return out
}

// rights returns p as a rights map.
func (p permSet) rights() rights {
	out := make(rights, len(p))
	for _, s := range p {
		out[s.sec] |= s.set
	}
	return out
}

type snapshot struct {
	version int64
	clients table[ClientID, clientEntry]
	users   table[ClientUserID, userEntry]
	roles   table[RoleID, roleEntry]
}

func newSnapshot() *snapshot { return &snapshot{} }

type builder struct {
	o       *owner
	next    *snapshot
	clients *writer[ClientID, clientEntry]
	users   *writer[ClientUserID, userEntry]
	roles   *writer[RoleID, roleEntry]
}

// newBuilder starts the snapshot after base. Copying an entry copies what
// is small (flags, a user's roles, a role's permissions by section); the
// lists of users are copied by the edits that change them (setOf).
func newBuilder(base *snapshot) *builder {
	next := *base
	o := &owner{}
	return &builder{
		o:       o,
		next:    &next,
		clients: newWriter(&next.clients, o, func(e *clientEntry) *clientEntry { c := *e; return &c }),
		users: newWriter(&next.users, o, func(e *userEntry) *userEntry {
			c := *e
			c.roles = slices.Clone(e.roles)
			return &c
		}),
		roles: newWriter(&next.roles, o, func(e *roleEntry) *roleEntry { c := *e; return &c }),
	}
}

// setOf inserts (add) or removes u in the sorted list *ids of an entry
// being built, copying the list first unless *own says this builder did.
func (b *builder) setOf(ids *[]ClientUserID, own **owner, u ClientUserID, add bool) {
	i, found := slices.BinarySearch(*ids, u)
	if found == add {
		return
	}
	if *own != b.o {
		*ids = slices.Clone(*ids)
		*own = b.o
	}
	if add {
		*ids = slices.Insert(*ids, i, u)
	} else {
		*ids = slices.Delete(*ids, i, i+1)
	}
}

func (b *builder) role(id RoleID, client ClientID) *roleEntry {
	r := b.roles.edit(id)
	if r.client == 0 {
		r.client = client
	}
	return r
}

func (b *builder) user(id ClientUserID, client ClientID) *userEntry {
	u := b.users.edit(id)
	if u.client == 0 && client != 0 {
		u.client = client
		c := b.clients.edit(client)
		b.setOf(&c.users, &c.usersOwn, id, true)
	}
	return u
}

// delUser removes user id, from its account's users too.
func (b *builder) delUser(id ClientUserID) {
	if u := b.next.users.get(id); u != nil && u.client != 0 {
		c := b.clients.edit(u.client)
		b.setOf(&c.users, &c.usersOwn, id, false)
	}
	b.users.del(id)
}

// apply adds (add=true) or removes one rule; like Casbin, adding a present
// rule or removing an absent one changes nothing.
func (b *builder) apply(r Rule, add bool) {
	switch r.Kind {
	case RulePermission:
		e := b.role(r.Role, r.Client)
		sec, set := r.Permission.Section, e.perms.get(r.Permission.Section)
		if add {
			e.perms = e.perms.with(sec, set|bit(r.Permission.Action))
		} else {
			e.perms = e.perms.with(sec, set&^bit(r.Permission.Action))
		}
	case RuleAssignment:
		u := b.user(r.User, r.Client)
		e := b.role(r.Role, r.Client)
		i, found := slices.BinarySearch(u.roles, r.Role)
		b.setOf(&e.members, &e.membersOwn, r.User, add)
		if add {
			if !found {
				u.roles = slices.Insert(u.roles, i, r.Role)
			}
		} else {
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
		b.delUser(u)
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
		return e != nil && e.client == r.Client && e.perms.get(r.Permission.Section)&bit(r.Permission.Action) != 0
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

// rolePermissions lists the rights r in catalog order (sections in the
// order given, unknown sections after, by name).
func rolePermissions(r rights, order []SectionInfo) []Permission {
	var out []Permission
	seen := map[Section]bool{}
	emit := func(sec Section) {
		set := r[sec]
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
	rest := slices.Sorted(maps.Keys(r))
	for _, sec := range rest {
		if !seen[sec] {
			emit(sec)
		}
	}
	return out
}
