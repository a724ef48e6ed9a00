package clients

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/billingrbac/billingrbac/rbac"
)

// CreateClient creates a client account and its first user in one
// transaction. The actor must be staff holding clients:add. Errors:
// rbac.ErrInvalid, rbac.ErrConflict (the login is taken),
// rbac.ErrPermissionDenied.
func (s *Service) CreateClient(ctx context.Context, actor Actor, in NewClient) (Client, error) {
	const op = "create client"
	if err := in.Validate(); err != nil {
		return Client{}, err
	}
	var out Client
	err := s.write(ctx, func(w *txn) error {
		if err := w.authorizeStaff(op, actor, rbac.Perm(rbac.FuncClients, rbac.ActAdd)); err != nil {
			return err
		}
		c := Client{Name: in.Name, Email: in.Email}
		if err := w.tx.CreateClient(&c); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		u := User{Client: c.ID, Login: in.FirstUser.Login, Name: in.FirstUser.Name, Email: in.FirstUser.Email, First: true}
		if err := w.tx.CreateUser(&u); err != nil {
			return fmt.Errorf("%s: first user %q: %w", op, u.Login, err)
		}
		w.touched = true
		w.en.clients = append(w.en.clients, c.ID)
		w.en.users = append(w.en.users, UserRef{ID: u.ID, Client: c.ID})
		w.add(FirstUserRule(c.ID, u.ID))
		w.set(ClientDisabledRule(c.ID), in.Status == rbac.StatusDisabled)
		c.FirstUser, c.Status = u.ID, in.Status
		out = c
		return nil
	})
	return out, err
}

// UpdateClient changes a client account's name, e-mail or status
// (disabling it denies all its users everything). The actor must be staff
// holding clients:edit. Errors: rbac.ErrInvalid, rbac.ErrNotFound,
// rbac.ErrPermissionDenied.
func (s *Service) UpdateClient(ctx context.Context, actor Actor, id ClientID, in ClientUpdate) (Client, error) {
	const op = "update client"
	if err := in.Validate(); err != nil {
		return Client{}, err
	}
	var out Client
	err := s.write(ctx, func(w *txn) error {
		if err := w.authorizeStaff(op, actor, rbac.Perm(rbac.FuncClients, rbac.ActEdit)); err != nil {
			return err
		}
		c, err := w.client(op, id)
		if err != nil {
			return err
		}
		if in.Name != nil {
			c.Name = *in.Name
		}
		if in.Email != nil {
			c.Email = *in.Email
		}
		if in.Status != nil {
			c.Status = *in.Status
			w.set(ClientDisabledRule(id), c.Status == rbac.StatusDisabled)
		}
		if in.Name != nil || in.Email != nil {
			if err := w.tx.UpdateClient(&c); err != nil {
				return fmt.Errorf("%s %s: %w", op, id, err)
			}
			w.touched = true
		}
		out = c
		return nil
	})
	return out, err
}

// CreateUser adds a user to client account c with the given roles (roles
// of c only). The actor is c's first user or staff holding clients:edit.
// Errors: rbac.ErrInvalid, rbac.ErrNotFound (client or role),
// rbac.ErrConflict (login taken), rbac.ErrPermissionDenied, ErrCrossClient
// (a role of another client).
func (s *Service) CreateUser(ctx context.Context, actor Actor, c ClientID, in NewUser) (User, error) {
	const op = "create client user"
	if err := in.Validate(); err != nil {
		return User{}, err
	}
	var out User
	err := s.write(ctx, func(w *txn) error {
		if _, err := w.client(op, c); err != nil {
			return err
		}
		if err := w.authorizeAdmin(op, actor, c); err != nil {
			return err
		}
		for _, r := range in.Roles {
			if err := w.sameClient(op, actor, c, r); err != nil {
				return err
			}
		}
		u := User{Client: c, Login: in.Login, Name: in.Name, Email: in.Email}
		if err := w.tx.CreateUser(&u); err != nil {
			return fmt.Errorf("%s %q: %w", op, in.Login, err)
		}
		w.touched = true
		w.en.users = append(w.en.users, UserRef{ID: u.ID, Client: c})
		for _, r := range in.Roles {
			w.add(AssignmentRule(c, u.ID, r))
		}
		w.set(UserDisabledRule(u.ID), in.Status == rbac.StatusDisabled)
		u.Roles, u.Status = sortedRoles(in.Roles), in.Status
		out = u
		return nil
	})
	return out, err
}

// sameClient checks that role r exists and belongs to client c.
func (w *txn) sameClient(op string, actor Actor, c ClientID, r RoleID) error {
	ro, err := w.tx.Role(r)
	if err != nil {
		return fmt.Errorf("%s: role %s: %w", op, r, err)
	}
	if ro.Client != c {
		return denied(op, actor, ErrCrossClient, "role %s belongs to client %s, not client %s", r, ro.Client, c)
	}
	return nil
}

// UpdateUser changes a client user's name, e-mail or status. The actor is
// the user's client's first user or staff holding clients:edit. The first
// user's name and e-mail change only by staff, and only staff may disable
// it. Errors: rbac.ErrInvalid, rbac.ErrNotFound, rbac.ErrPermissionDenied,
// ErrFirstUser, ErrCrossClient.
func (s *Service) UpdateUser(ctx context.Context, actor Actor, id ClientUserID, in UserUpdate) (User, error) {
	const op = "update client user"
	if err := in.Validate(); err != nil {
		return User{}, err
	}
	var out User
	err := s.write(ctx, func(w *txn) error {
		u, err := w.user(op, id)
		if err != nil {
			return err
		}
		if err := w.authorizeAdmin(op, actor, u.Client); err != nil {
			return err
		}
		if u.First && actor.Staff == 0 {
			return denied(op, actor, ErrFirstUser, "the first user of client %s is changed only by the provider's staff", u.Client)
		}
		if in.Name != nil {
			u.Name = *in.Name
		}
		if in.Email != nil {
			u.Email = *in.Email
		}
		if in.Status != nil {
			u.Status = *in.Status
			w.set(UserDisabledRule(id), u.Status == rbac.StatusDisabled)
		}
		if in.Name != nil || in.Email != nil {
			if err := w.tx.UpdateUser(&u); err != nil {
				return fmt.Errorf("%s %s: %w", op, id, err)
			}
			w.touched = true
		}
		out = u
		return nil
	})
	return out, err
}

// DeleteUser deletes a client user and its role assignments. The actor is
// the user's client's first user or staff holding clients:edit. The first
// user is never deleted (disable the client account instead). Errors:
// rbac.ErrNotFound, rbac.ErrPermissionDenied, ErrFirstUser, ErrCrossClient.
func (s *Service) DeleteUser(ctx context.Context, actor Actor, id ClientUserID) error {
	const op = "delete client user"
	return s.write(ctx, func(w *txn) error {
		u, err := w.user(op, id)
		if err != nil {
			return err
		}
		if err := w.authorizeAdmin(op, actor, u.Client); err != nil {
			return err
		}
		if u.First {
			return denied(op, actor, ErrFirstUser, "the first user of client %s cannot be deleted", u.Client)
		}
		for _, r := range u.Roles {
			w.remove(AssignmentRule(u.Client, id, r))
		}
		w.remove(UserDisabledRule(id))
		if err := w.tx.DeleteUser(id); err != nil {
			return fmt.Errorf("%s %s: %w", op, id, err)
		}
		w.touched = true
		w.en.delUsers = append(w.en.delUsers, id)
		return nil
	})
}

// CreateRole defines a new, empty role in client account c. The actor is
// c's first user or staff holding clients:edit. Errors: rbac.ErrInvalid,
// rbac.ErrNotFound, rbac.ErrConflict (the name is taken in c),
// rbac.ErrPermissionDenied, ErrCrossClient.
func (s *Service) CreateRole(ctx context.Context, actor Actor, c ClientID, in NewRole) (Role, error) {
	const op = "create role"
	if err := in.Validate(); err != nil {
		return Role{}, err
	}
	var out Role
	err := s.write(ctx, func(w *txn) error {
		if _, err := w.client(op, c); err != nil {
			return err
		}
		if err := w.authorizeAdmin(op, actor, c); err != nil {
			return err
		}
		r := Role{Client: c, Name: in.Name}
		if err := w.tx.CreateRole(&r); err != nil {
			return fmt.Errorf("%s %q: %w", op, in.Name, err)
		}
		w.touched = true
		w.en.roles = append(w.en.roles, RoleRef{ID: r.ID, Client: c})
		out = r
		return nil
	})
	return out, err
}

// UpdateRole renames a role or replaces its permissions (the role
// screen's view / add / modify / delete toggles per section). The actor is
// the role's client's first user or staff holding clients:edit. Errors:
// rbac.ErrInvalid, rbac.ErrNotFound, rbac.ErrConflict,
// rbac.ErrPermissionDenied, ErrCrossClient.
func (s *Service) UpdateRole(ctx context.Context, actor Actor, id RoleID, in RoleUpdate) (Role, error) {
	const op = "update role"
	if err := in.Validate(s.catalog); err != nil {
		return Role{}, err
	}
	var out Role
	err := s.write(ctx, func(w *txn) error {
		r, err := w.role(op, id)
		if err != nil {
			return err
		}
		if err := w.authorizeAdmin(op, actor, r.Client); err != nil {
			return err
		}
		if in.Permissions != nil {
			want := *in.Permissions
			for _, p := range r.Permissions {
				if !slices.Contains(want, p) {
					w.remove(PermissionRule(r.Client, id, p))
				}
			}
			for _, p := range want {
				w.add(PermissionRule(r.Client, id, p))
			}
			e := &roleEntry{perms: map[Section]actionSet{}}
			for _, p := range want {
				e.perms[p.Section] |= bit(p.Action)
			}
			r.Permissions = rolePermissions(e, s.catalog.Sections())
		}
		if in.Name != nil && *in.Name != r.Name {
			r.Name = *in.Name
			if err := w.tx.UpdateRole(&r); err != nil {
				return fmt.Errorf("%s %s: %w", op, id, err)
			}
			w.touched = true
		}
		out = r
		return nil
	})
	return out, err
}

// DeleteRole deletes a role, its permissions and its assignments: its
// users keep their other roles. The actor is the role's client's first
// user or staff holding clients:edit. Errors: rbac.ErrNotFound,
// rbac.ErrPermissionDenied, ErrCrossClient.
func (s *Service) DeleteRole(ctx context.Context, actor Actor, id RoleID) error {
	const op = "delete role"
	return s.write(ctx, func(w *txn) error {
		r, err := w.role(op, id)
		if err != nil {
			return err
		}
		if err := w.authorizeAdmin(op, actor, r.Client); err != nil {
			return err
		}
		for _, p := range r.Permissions {
			w.remove(PermissionRule(r.Client, id, p))
		}
		if e := w.snap.roles.get(id); e != nil {
			for _, u := range slices.Sorted(maps.Keys(e.members)) {
				w.remove(AssignmentRule(r.Client, u, id))
			}
		}
		if err := w.tx.DeleteRole(id); err != nil {
			return fmt.Errorf("%s %s: %w", op, id, err)
		}
		w.touched = true
		w.en.delRoles = append(w.en.delRoles, id)
		return nil
	})
}

// AssignRole gives role r to client user u. Both must belong to the same
// client; the first user takes no roles (it has every right). The actor is
// that client's first user or staff holding clients:edit. Assigning a role
// the user holds changes nothing. Errors: rbac.ErrNotFound,
// rbac.ErrPermissionDenied, ErrCrossClient, ErrFirstUser.
func (s *Service) AssignRole(ctx context.Context, actor Actor, u ClientUserID, r RoleID) error {
	return s.assign(ctx, "assign role", actor, u, r, true)
}

// UnassignRole takes role r from client user u. Same rules as AssignRole.
func (s *Service) UnassignRole(ctx context.Context, actor Actor, u ClientUserID, r RoleID) error {
	return s.assign(ctx, "unassign role", actor, u, r, false)
}

func (s *Service) assign(ctx context.Context, op string, actor Actor, uid ClientUserID, rid RoleID, on bool) error {
	return s.write(ctx, func(w *txn) error {
		u, err := w.user(op, uid)
		if err != nil {
			return err
		}
		if err := w.authorizeAdmin(op, actor, u.Client); err != nil {
			return err
		}
		if err := w.sameClient(op, actor, u.Client, rid); err != nil {
			return err
		}
		if u.First {
			return denied(op, actor, ErrFirstUser, "the first user of client %s has every right and takes no roles", u.Client)
		}
		w.set(AssignmentRule(u.Client, uid, rid), on)
		return nil
	})
}

// Client returns a client account. Errors: rbac.ErrNotFound.
func (s *Service) Client(ctx context.Context, id ClientID) (Client, error) {
	c, err := s.store.Client(ctx, id)
	if err != nil {
		return Client{}, fmt.Errorf("client %s: %w", id, err)
	}
	fillClient(s.snap.Load(), &c)
	return c, nil
}

// Clients returns every client account by ID.
func (s *Service) Clients(ctx context.Context) ([]Client, error) {
	cs, err := s.store.Clients(ctx)
	if err != nil {
		return nil, fmt.Errorf("clients: %w", err)
	}
	snap := s.snap.Load()
	for i := range cs {
		fillClient(snap, &cs[i])
	}
	return cs, nil
}

// User returns a client user with its roles. Errors: rbac.ErrNotFound.
func (s *Service) User(ctx context.Context, id ClientUserID) (User, error) {
	u, err := s.store.User(ctx, id)
	if err != nil {
		return User{}, fmt.Errorf("client user %s: %w", id, err)
	}
	fillUser(s.snap.Load(), &u)
	return u, nil
}

// Users returns the users of client c by ID.
func (s *Service) Users(ctx context.Context, c ClientID) ([]User, error) {
	us, err := s.store.Users(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("client %s users: %w", c, err)
	}
	snap := s.snap.Load()
	for i := range us {
		fillUser(snap, &us[i])
	}
	return us, nil
}

// Role returns a role with its permissions. Errors: rbac.ErrNotFound.
func (s *Service) Role(ctx context.Context, id RoleID) (Role, error) {
	r, err := s.store.Role(ctx, id)
	if err != nil {
		return Role{}, fmt.Errorf("role %s: %w", id, err)
	}
	fillRole(s.snap.Load(), s.catalog, &r)
	return r, nil
}

// Roles returns the roles of client c by ID.
func (s *Service) Roles(ctx context.Context, c ClientID) ([]Role, error) {
	rs, err := s.store.Roles(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("client %s roles: %w", c, err)
	}
	snap := s.snap.Load()
	for i := range rs {
		fillRole(snap, s.catalog, &rs[i])
	}
	return rs, nil
}
