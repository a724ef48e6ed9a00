package clients

import (
	"maps"
	"slices"

	"github.com/billingrbac/billingrbac/rbac"
)

// The effect of a client change, in rbac.Effect's client fields: for every
// client user whose effective rights in its account or flags move, what it
// gains and loses; and the client users whose sign-in the change sets.
// It is computed from the staged delta and rows on the index, before
// commit, and decided by one check (authorizeEffect).

// UserEffect is the change of one client user's effective access: an
// rbac.ClientUserEffect with this package's types.
type UserEffect struct {
	User   ClientUserID
	Client ClientID
	// Before and After: FullAccess is set for the client's first user,
	// Disabled when the user or its client account is disabled.
	Before, After rbac.Access
	Gained, Lost  []Permission // in catalog order
}

// UserEffects returns the client users' part of e (a Change's Effect, or
// a dry run's Plan.Effect()) with this package's types; a right that does
// not parse is left out.
func UserEffects(e rbac.Effect) []UserEffect {
	out := make([]UserEffect, 0, len(e.ClientUsers))
	for _, ce := range e.ClientUsers {
		out = append(out, UserEffect{User: ClientUserID(ce.User), Client: ClientID(ce.Client),
			Before: ce.Before, After: ce.After, Gained: parseRights(ce.Gained), Lost: parseRights(ce.Lost)})
	}
	return out
}

// ControlledUsers returns the client users whose sign-in the change of
// effect e sets, by ID.
func ControlledUsers(e rbac.Effect) []ClientUserID {
	out := make([]ClientUserID, len(e.ClientControl))
	for i, id := range e.ClientControl {
		out[i] = ClientUserID(id)
	}
	return out
}

func parseRights(rs []rbac.ClientRight) []Permission {
	var out []Permission
	for _, r := range rs {
		if p, err := ParsePermission(string(r)); err == nil {
			out = append(out, p)
		}
	}
	return out
}

func rightsOf(ps []Permission) []rbac.ClientRight {
	var out []rbac.ClientRight
	for _, p := range ps {
		out = append(out, rbac.ClientRight(p.String()))
	}
	return out
}

// rights is a set of client rights: actions per section.
type rights map[Section]actionSet

func (r rights) has(p Permission) bool { return r[p.Section]&bit(p.Action) != 0 }

// minus returns r without o.
func (r rights) minus(o rights) rights {
	out := rights{}
	for sec, set := range r {
		if d := set &^ o[sec]; d != 0 {
			out[sec] = d
		}
	}
	return out
}

// rightsOf returns what user u may do in its account in snap: every right
// of the catalog for its first user, the union of its roles otherwise;
// nothing when it or its client is disabled, unless potential is set (what
// whoever signs in as u gets once it is switched back on).
func (w *txn) rightsOf(snap *snapshot, u ClientUserID, potential bool) rights {
	ue := snap.users.get(u)
	out := rights{}
	if ue == nil || !potential && (ue.disabled || snap.clientDisabled(ue.client)) {
		return out
	}
	if ue.first {
		for _, p := range w.catalogPerms() {
			out[p.Section] |= bit(p.Action)
		}
		return out
	}
	for _, r := range ue.roles {
		if re := snap.roles.get(r); re != nil && re.client == ue.client {
			for _, s := range re.perms {
				out[s.sec] |= s.set
			}
		}
	}
	return out
}

func (w *txn) catalogPerms() []Permission {
	if w.perms == nil {
		w.perms = w.s.catalog.Permissions()
	}
	return w.perms
}

// list returns the rights of r in catalog order.
func (w *txn) list(r rights) []Permission {
	return rolePermissions(r, w.s.catalog.Sections())
}

func accessOf(snap *snapshot, u ClientUserID) rbac.Access {
	ue := snap.users.get(u)
	if ue == nil {
		return rbac.Access{}
	}
	return rbac.Access{FullAccess: ue.first, Disabled: ue.disabled || snap.clientDisabled(ue.client)}
}

func entryUsers(e *roleEntry) []ClientUserID {
	if e == nil {
		return nil
	}
	return e.members
}

func accountUsers(e *clientEntry) []ClientUserID {
	if e == nil {
		return nil
	}
	return e.users
}

// effectOf computes the effect of the staged change and the index after
// it. The users compared are those the change names (its rules and rows),
// the members of the roles whose permissions it changes and, when an
// account is switched off or on, the users of that account.
func (w *txn) effectOf() (*snapshot, rbac.Effect) {
	before := w.snap
	b := newBuilder(before)
	b.applyChange(w.en, w.delta)
	after := b.next

	affected := map[ClientUserID]struct{}{}
	maps.Copy(affected, w.users)
	for _, rs := range [][]Rule{w.delta.Remove, w.delta.Add} {
		for _, r := range rs {
			var lists [2][]ClientUserID // before, after
			switch {
			case r.User != 0:
				affected[r.User] = struct{}{}
			case r.Kind == RulePermission: // the role's members
				lists = [2][]ClientUserID{entryUsers(before.roles.get(r.Role)), entryUsers(after.roles.get(r.Role))}
			case r.Kind == RuleDisabled: // an account switched off or on: its users
				lists = [2][]ClientUserID{accountUsers(before.clients.get(r.Client)), accountUsers(after.clients.get(r.Client))}
			}
			for _, ids := range lists {
				for _, id := range ids {
					affected[id] = struct{}{}
				}
			}
		}
	}
	for _, u := range w.en.users {
		affected[u.ID] = struct{}{}
	}
	for _, u := range w.en.delUsers {
		affected[u] = struct{}{}
	}

	var eff rbac.Effect
	control := map[ClientUserID]struct{}{}
	maps.Copy(control, w.control)
	for _, id := range slices.Sorted(maps.Keys(affected)) {
		rb, ra := w.rightsOf(before, id, false), w.rightsOf(after, id, false)
		ue := after.users.get(id)
		if ue == nil {
			ue = before.users.get(id)
		}
		if ue == nil {
			continue
		}
		ce := rbac.ClientUserEffect{User: int64(id), Client: int64(ue.client),
			Before: accessOf(before, id), After: accessOf(after, id),
			Gained: rightsOf(w.list(ra.minus(rb))), Lost: rightsOf(w.list(rb.minus(ra)))}
		if ce.Before.Disabled && !ce.After.Disabled && after.users.get(id) != nil && before.users.get(id) != nil {
			control[id] = struct{}{} // switched back on: its sign-in works again
		}
		if ce.Before != ce.After || len(ce.Gained)+len(ce.Lost) > 0 {
			eff.ClientUsers = append(eff.ClientUsers, ce)
		}
	}
	delete(control, w.actor.User)
	for _, id := range slices.Sorted(maps.Keys(control)) {
		eff.ClientControl = append(eff.ClientControl, int64(id))
	}
	return after, eff
}
