package clients

import (
	"context"
	"fmt"

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
		w.record(actor, OpClientCreate, clientTarget(c.ID), nil, c)
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
		before := c
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
		w.record(actor, OpClientUpdate, clientTarget(id), before, c)
		out = c
		return nil
	})
	return out, err
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

func clientTarget(id ClientID) string   { return "client:" + id.String() }
func userTarget(id ClientUserID) string { return "cuser:" + id.String() }
func roleTarget(id RoleID) string       { return "crole:" + id.String() }
