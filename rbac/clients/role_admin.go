package clients

import (
	"context"
	"fmt"
	"slices"
)

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
		w.record(actor, OpRoleCreate, roleTarget(r.ID), nil, r)
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
		before := r
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
			set := rights{}
			for _, p := range want {
				set[p.Section] |= bit(p.Action)
			}
			r.Permissions = rolePermissions(set, s.catalog.Sections())
		}
		if in.Name != nil && *in.Name != r.Name {
			r.Name = *in.Name
			if err := w.tx.UpdateRole(&r); err != nil {
				return fmt.Errorf("%s %s: %w", op, id, err)
			}
			w.touched = true
		}
		w.record(actor, OpRoleUpdate, roleTarget(id), before, r)
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
			for _, u := range e.members { // sorted
				w.remove(AssignmentRule(r.Client, u, id))
			}
		}
		if err := w.tx.DeleteRole(id); err != nil {
			return fmt.Errorf("%s %s: %w", op, id, err)
		}
		w.touched = true
		w.en.delRoles = append(w.en.delRoles, id)
		w.record(actor, OpRoleDelete, roleTarget(id), r, nil)
		return nil
	})
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
