package clients

import (
	"context"
	"fmt"

	"github.com/billingrbac/billingrbac/rbac"
)

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
		w.record(actor, OpUserCreate, userTarget(u.ID), nil, u)
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
		before := u
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
		w.record(actor, OpUserUpdate, userTarget(id), before, u)
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
		w.record(actor, OpUserDelete, userTarget(id), u, nil)
		return nil
	})
}

// AssignRole gives role r to client user u. Both must belong to the same
// client; the first user takes no roles (it has every right). The actor is
// that client's first user or staff holding clients:edit. Assigning a role
// the user holds changes nothing. Errors: rbac.ErrNotFound,
// rbac.ErrPermissionDenied, ErrCrossClient, ErrFirstUser.
func (s *Service) AssignRole(ctx context.Context, actor Actor, u ClientUserID, r RoleID) error {
	return s.assign(ctx, "assign role", OpRoleAssign, actor, u, r, true)
}

// UnassignRole takes role r from client user u. Same rules as AssignRole.
func (s *Service) UnassignRole(ctx context.Context, actor Actor, u ClientUserID, r RoleID) error {
	return s.assign(ctx, "unassign role", OpRoleUnassign, actor, u, r, false)
}

func (s *Service) assign(ctx context.Context, op string, kind rbac.Operation, actor Actor, uid ClientUserID, rid RoleID, on bool) error {
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
		w.record(actor, kind, userTarget(uid), nil, map[string]RoleID{"role": rid})
		return nil
	})
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
