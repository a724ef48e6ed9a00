package clients

import (
	"errors"

	"github.com/billingrbac/billingrbac/rbac"
)

// Who administers what:
//   - client accounts are created by staff holding clients:add and changed
//     (disabled too) by staff holding clients:edit; no client user does it;
//   - inside an account (users, roles, assignments) the actor is the
//     account's active first user, or staff holding clients:edit;
//   - the first user is never deleted, never given roles, never disabled
//     by the client; its name and e-mail change only by staff.

// authorizeStaff checks that actor is a staff member holding need.
func (w *txn) authorizeStaff(op string, actor Actor, need rbac.Permission) error {
	if actor.User != 0 || actor.Staff <= 0 {
		return denied(op, actor, nil, "only staff may %s", op)
	}
	if !w.s.staff.Can(actor.Staff, need) {
		return &DeniedError{Op: op, Actor: actor, Missing: need,
			Reason: "staff member " + actor.Staff.String() + " lacks " + need.String()}
	}
	return nil
}

// authorizeAdmin checks that actor may administer client c: staff with
// clients:edit, or c's active first user.
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
		return denied(op, actor, nil, "only the client's first user administers client %s", c)
	case ue.disabled || w.snap.clientDisabled(c):
		return denied(op, actor, nil, "client user %s or its client is disabled", actor.User)
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
		r.Permissions = rolePermissions(e, c.Sections())
	}
}
