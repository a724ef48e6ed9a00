package clients

import (
	"errors"
	"fmt"
	"slices"

	"github.com/billingrbac/billingrbac/rbac"
)

// Authorization has two parts, as in package rbac.
//
// Each operation first checks that the actor may use it at all, cheaply
// and before anything is stored: client accounts are created by staff
// holding clients:add and changed by staff holding clients:edit; inside an
// account (users, roles, assignments) the actor is staff holding
// clients:edit or an active first user of that account (authorizeAdmin;
// checking the account there keeps another client's first user from
// learning which logins exist from ErrConflict). The effect check repeats
// the account and the disabled flags.
//
// Then every client write, whatever the operation, passes one check on
// the effect of the staged change (authorizeEffect, the domain's
// Stage.Authorize hook). The invariant it keeps is the staff domain's: a
// change gives nobody more than the actor holds, and gives the actor
// control of no client user stronger than itself. A client user "holds"
// the rights it has in its own account; a staff member "holds" a client
// right when it holds the right's staff counterparts
// (Service.StaffCounterparts): the staff permissions with which it does
// the same to that kind of resource of any client (services:edit for
// services:modify, invoices:view and payments:view for finance:view,
// support:reply for support:add). The rules, each enforced once:
//  1. a client-user actor is an active user of an active account;
//  2. never across clients: everything a client-user actor's change
//     writes (rows, rules, anyone's access or sign-in) is of its own
//     account;
//  3. a client's first user (every right in the account) and the account
//     itself (its row and flags) are changed only by the provider's staff;
//  4. nobody changes their own privileges: no rule about a client-user
//     actor is added or removed and its access does not move;
//  5. every right a role is given or loses is held by the actor;
//  6. every right anyone gains is held by the actor;
//  7. control is power: a change that sets a client user's sign-in (a new
//     user, its login or e-mail, the account's contact e-mail for its
//     first user, the user or its account switched back on) needs the
//     actor to hold every right the user holds, whatever the disabled
//     flags say. So staff with clients:edit reset a client user's sign-in
//     only when they could already do, with their staff permissions, all
//     that user can do; a first user's (every right), only with every
//     counterpart or full access.
//
// A full-access staff member holds every counterpart.

// authorizeStaff checks that actor is a staff member holding need.
func (w *txn) authorizeStaff(op string, actor Actor, need rbac.Permission) error {
	if actor.User != 0 || actor.Staff <= 0 {
		return withCode(DenialStaffOnly, denied(op, actor, nil, "only staff may %s", op))
	}
	if !w.s.staff.Can(actor.Staff, need) {
		return &DeniedError{Op: op, Actor: actor, Missing: need,
			Reason: "staff member " + actor.Staff.String() + " lacks " + need.String()}
	}
	return nil
}

// authorizeAdmin checks that actor may administer inside client c at all:
// staff with clients:edit, or a first user of c.
func (w *txn) authorizeAdmin(op string, actor Actor, c ClientID) error {
	if !actor.valid() {
		return denied(op, actor, nil, "no acting staff member or client user")
	}
	if actor.Staff != 0 {
		return w.authorizeStaff(op, actor, rbac.Perm(rbac.FuncClients, rbac.ActEdit))
	}
	ue := w.snap.users.get(actor.User)
	switch {
	case ue == nil:
		return denied(op, actor, nil, "client user %s does not exist", actor.User)
	case ue.client != c:
		return denied(op, actor, ErrCrossClient, "client user %s belongs to client %s, not client %s", actor.User, ue.client, c)
	case !ue.first:
		return withCode(DenialNotFirstUser, denied(op, actor, nil, "only the client's first user administers client %s", c))
	case ue.disabled || w.snap.clientDisabled(ue.client):
		// Repeated by the effect check; here so a disabled actor's call
		// stores nothing before it is refused.
		return withCode(rbac.DenialActorDisabled, denied(op, actor, nil, "client user %s or its client is disabled", actor.User))
	}
	return nil
}

// StaffCounterparts returns the staff permissions with which a staff
// member does to resources of any client what right p lets a client user
// do in its own account: for each resource kind of p's section, the kind's
// staff function with KindInfo.StaffAction. A staff member holding all of
// them (or full access) holds p for the client rules (see the package
// documentation); a section with no resource kind has none, and only full
// access holds its rights.
func (s *Service) StaffCounterparts(p Permission) []rbac.Permission {
	var out []rbac.Permission
	for _, k := range s.catalog.kindsIn(p.Section) {
		if sp := rbac.Perm(k.StaffFunction, k.StaffAction(p.Action)); !slices.Contains(out, sp) {
			out = append(out, sp)
		}
	}
	return out
}

// holder returns whether the actor holds client right p and, for a staff
// actor, the staff counterpart it lacks.
func (w *txn) holder() func(p Permission) (bool, rbac.Permission) {
	if a := w.actor; a.User != 0 {
		held := w.rightsOf(w.snap, a.User, false)
		return func(p Permission) (bool, rbac.Permission) { return held.has(p), rbac.Permission{} }
	}
	staff, id := w.s.staff, w.actor.Staff
	if staff.IsFullAccess(id) {
		return func(Permission) (bool, rbac.Permission) { return true, rbac.Permission{} }
	}
	return func(p Permission) (bool, rbac.Permission) {
		cps := w.s.StaffCounterparts(p)
		if len(cps) == 0 {
			return false, rbac.Permission{}
		}
		for _, sp := range cps {
			if !staff.Can(id, sp) {
				return false, sp
			}
		}
		return true, rbac.Permission{}
	}
}

// authorizeEffect is the one check every client write passes: see the
// rules above. w.snap is the locked version's index, after the one the
// change would publish.
func (w *txn) authorizeEffect(after *snapshot, eff rbac.Effect) error {
	actor, op := w.actor, string(w.op)
	if !actor.valid() {
		return denied(op, actor, nil, "no acting staff member or client user")
	}
	userOf := func(u ClientUserID) *userEntry {
		if ue := w.snap.users.get(u); ue != nil {
			return ue
		}
		return after.users.get(u)
	}
	if actor.User != 0 {
		ae := w.snap.users.get(actor.User)
		if ae == nil || ae.disabled || w.snap.clientDisabled(ae.client) {
			return withCode(rbac.DenialActorDisabled, denied(op, actor, nil, "client user %s does not exist or it or its client is disabled", actor.User))
		}
		own := ae.client
		cross := func(c ClientID, what string) error {
			return denied(op, actor, ErrCrossClient, "the change would touch %s of client %s; client user %s belongs to client %s", what, c, actor.User, own)
		}
		// Never across clients.
		for c := range w.scope {
			if c != own {
				return cross(c, "rows")
			}
		}
		for _, rs := range [][]Rule{w.delta.Add, w.delta.Remove} {
			for _, r := range rs {
				c := r.Client
				if r.Kind == RuleDisabled && r.User != 0 {
					c = 0
					if ue := userOf(r.User); ue != nil {
						c = ue.client
					}
				}
				if c != own {
					return cross(c, "rules")
				}
			}
		}
		for _, ce := range eff.ClientUsers {
			if ClientID(ce.Client) != own {
				return cross(ClientID(ce.Client), "the access of user "+itoa(ce.User))
			}
		}
		for _, id := range eff.ClientControl {
			if ue := userOf(ClientUserID(id)); ue == nil || ue.client != own {
				return cross(0, "the sign-in of user "+itoa(id))
			}
		}
		// The first user and the account: changed only by staff.
		first := func(u ClientUserID) bool {
			b, a := w.snap.users.get(u), after.users.get(u)
			return b != nil && b.first || a != nil && a.first
		}
		staffOnly := func(u ClientUserID, what string) error {
			return &DeniedError{Op: op, Actor: actor, Target: u, FirstUser: true, also: ErrFirstUser,
				Reason: "only the provider's staff may change " + what}
		}
		for u := range w.users {
			if first(u) {
				return staffOnly(u, "the first user of client "+own.String())
			}
		}
		for _, rs := range [][]Rule{w.delta.Add, w.delta.Remove} {
			for _, r := range rs {
				switch {
				case r.User != 0 && first(r.User):
					return staffOnly(r.User, "the first user of client "+own.String())
				case r.Kind == RuleFirstUser || r.Kind == RuleDisabled && r.User == 0:
					return staffOnly(0, "client account "+r.Client.String())
				}
			}
		}
		if len(w.accounts) > 0 {
			return staffOnly(0, "client account "+own.String())
		}
		// Nobody changes their own privileges.
		self := &DeniedError{Op: op, Actor: actor, Target: actor.User,
			Reason: "client users cannot change their own privileges"}
		for _, rs := range [][]Rule{w.delta.Add, w.delta.Remove} {
			for _, r := range rs {
				if r.User == actor.User {
					return self
				}
			}
		}
		for _, ce := range eff.ClientUsers {
			if ClientUserID(ce.User) == actor.User {
				return self
			}
		}
	}

	holds := w.holder()
	lacks := func(target ClientUserID, p Permission, missing rbac.Permission, control bool, format string, args ...any) error {
		return &DeniedError{Op: op, Actor: actor, Target: target, Right: p, Missing: missing, Control: control,
			Reason: fmt.Sprintf(format, args...)}
	}
	// Rights given to or taken from a role: held by the actor.
	for _, rs := range [][]Rule{w.delta.Add, w.delta.Remove} {
		for _, r := range rs {
			if r.Kind != RulePermission {
				continue
			}
			if ok, missing := holds(r.Permission); !ok {
				return lacks(0, r.Permission, missing, false, "%s cannot give or take %s (on role %s) without holding it", actor, r.Permission, r.Role)
			}
		}
	}
	// Gains: held by the actor.
	for _, ce := range UserEffects(eff) {
		for _, p := range ce.Gained {
			if ok, missing := holds(p); !ok {
				return lacks(ce.User, p, missing, false, "the change would give client user %s %s, which %s does not hold", ce.User, p, actor)
			}
		}
	}
	// Control is power.
	for _, id := range ControlledUsers(eff) {
		for _, p := range w.list(w.rightsOf(after, id, true)) {
			if ok, missing := holds(p); !ok {
				return lacks(id, p, missing, true, "the change would give %s control of client user %s, which holds %s", actor, id, p)
			}
		}
	}
	return nil
}

// client reads client c inside the transaction, naming it on ErrNotFound.
func (w *txn) client(op string, c ClientID) (Client, error) {
	cl, err := w.tx.Client(c)
	if err != nil {
		if errors.Is(err, rbac.ErrNotFound) {
			return Client{}, wrapf(rbac.ErrNotFound, "%s: client %s", op, c)
		}
		return Client{}, err
	}
	fillClient(w.snap, &cl)
	return cl, nil
}

func (w *txn) user(op string, u ClientUserID) (User, error) {
	us, err := w.tx.User(u)
	if err != nil {
		if errors.Is(err, rbac.ErrNotFound) {
			return User{}, wrapf(rbac.ErrNotFound, "%s: client user %s", op, u)
		}
		return User{}, err
	}
	fillUser(w.snap, &us)
	return us, nil
}

func (w *txn) role(op string, r RoleID) (Role, error) {
	ro, err := w.tx.Role(r)
	if err != nil {
		if errors.Is(err, rbac.ErrNotFound) {
			return Role{}, wrapf(rbac.ErrNotFound, "%s: role %s", op, r)
		}
		return Role{}, err
	}
	fillRole(w.snap, w.s.catalog, &ro)
	return ro, nil
}

func fillClient(snap *snapshot, c *Client) {
	c.Status, c.FirstUser = rbac.StatusActive, 0
	if e := snap.clients.get(c.ID); e != nil {
		c.FirstUser = e.first
		if e.disabled {
			c.Status = rbac.StatusDisabled
		}
	}
}

func fillUser(snap *snapshot, u *User) {
	u.Status, u.Roles = rbac.StatusActive, nil
	if e := snap.users.get(u.ID); e != nil {
		u.Roles = sortedRoles(e.roles)
		if e.disabled {
			u.Status = rbac.StatusDisabled
		}
	}
}

func fillRole(snap *snapshot, c *Catalog, r *Role) {
	r.Permissions = nil
	if e := snap.roles.get(r.ID); e != nil {
		r.Permissions = rolePermissions(e.perms.rights(), c.Sections())
	}
}
