package clients_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
)

func requireField(t testing.TB, err error, field, rule string) {
	t.Helper()
	require.ErrorIs(t, err, rbac.ErrInvalid)
	var ve *rbac.ValidationError
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has(field, rule), "want %s (%s), got %v", field, rule, err)
}

// Client, client-user and role names follow the staff side's display-text
// rule: the same characters are refused with the same rule, and a refusal
// changes nothing.
func TestDisplayTextRule(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	c := e.client("acme")
	owner := clients.ByUser(c.FirstUser)
	u := e.user(owner, c.ID, "bob")
	r := e.role(owner, c.ID, "Accountant")
	ptr := func(s string) *string { return &s }
	for _, f := range []struct {
		name, field string
		set         func(s string) error
	}{
		{"client name", "name", func(s string) error {
			_, err := e.svc.UpdateClient(e.ctx, e.admin, c.ID, clients.ClientUpdate{Name: ptr(s)})
			return err
		}},
		{"first user name", "first_user.name", func(s string) error {
			_, err := e.svc.CreateClient(e.ctx, e.admin, clients.NewClient{Name: "X", FirstUser: clients.NewUser{Login: "xfirst", Name: s}})
			return err
		}},
		{"user name", "name", func(s string) error {
			_, err := e.svc.UpdateUser(e.ctx, owner, u.ID, clients.UserUpdate{Name: ptr(s)})
			return err
		}},
		{"role name", "name", func(s string) error {
			_, err := e.svc.UpdateRole(e.ctx, owner, r.ID, clients.RoleUpdate{Name: ptr(s)})
			return err
		}},
	} {
		t.Run(f.name, func(t *testing.T) {
			for _, s := range []string{"ok\u202eevil", "ad\u200bmin", "a\u2067b\u2069", "line\nbreak", "\ufeffbom", "a\u200fb"} {
				v := e.svc.Version()
				requireField(t, f.set(s), f.field, "characters")
				require.Equal(t, v, e.svc.Version())
			}
		})
	}
}

// Lists have caps checked before they are read.
func TestListCaps(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	c := e.client("acme")
	owner := clients.ByUser(c.FirstUser)
	r := e.role(owner, c.ID, "Accountant")
	v := e.svc.Version()
	perms := make([]clients.Permission, 100_000)
	for i := range perms {
		perms[i] = clients.Perm(clients.SectionFinance, clients.View)
	}
	_, err := e.svc.UpdateRole(e.ctx, owner, r.ID, clients.RoleUpdate{Permissions: &perms})
	requireField(t, err, "permissions", "max_count")
	roles := make([]clients.RoleID, clients.MaxRolesPerUser+1)
	for i := range roles {
		roles[i] = clients.RoleID(i + 1)
	}
	_, err = e.svc.CreateUser(e.ctx, owner, c.ID, clients.NewUser{Login: "bob", Name: "Bob", Roles: roles})
	requireField(t, err, "roles", "max_count")
	require.Equal(t, v, e.svc.Version())
}

// Client-user logins are unique within a client account, not among all
// accounts: a first user creating users learns nothing about the logins
// of other accounts (no cross-client oracle), while a login used twice in
// one account is still a conflict.
func TestClientLoginsUniquePerAccount(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		acme, globex := e.client("acme"), e.client("globex")
		bob := e.user(clients.ByUser(acme.FirstUser), acme.ID, "bob")
		other, err := e.svc.CreateUser(e.ctx, clients.ByUser(globex.FirstUser), globex.ID, clients.NewUser{Login: "bob", Name: "Bob of Globex"})
		require.NoError(t, err, "another account's login leaks through a conflict")
		require.NotEqual(t, bob.ID, other.ID)
		_, err = e.svc.CreateUser(e.ctx, clients.ByUser(globex.FirstUser), globex.ID, clients.NewUser{Login: "acme", Name: "x"})
		require.NoError(t, err, "another account's first-user login leaks")
		_, err = e.svc.CreateUser(e.ctx, clients.ByUser(acme.FirstUser), acme.ID, clients.NewUser{Login: "BOB", Name: "x"})
		require.ErrorIs(t, err, rbac.ErrConflict)
	})
}
