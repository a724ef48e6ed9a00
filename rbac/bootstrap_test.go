package rbac_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// Bootstrap is idempotent, and a given admin password must pass the
// password policy.
func TestBootstrap(t *testing.T) {
	ctx := context.Background()
	st := testdb.New(t, testdb.SQLite)
	svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	_, err = svc.Bootstrap(ctx, rbac.BootstrapOptions{AdminPassword: "password123"})
	var ve *rbac.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, rbac.ErrInvalid) || len(ve.Fields) == 0 || ve.Fields[0].Field != "admin_password" {
		t.Fatalf("weak admin password: err = %v", err)
	}
	if svc.Version() != 0 {
		t.Fatalf("a refused bootstrap moved the version to %d", svc.Version())
	}
	first, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil || !first.Created || len(first.AdminPassword) < 16 {
		t.Fatalf("first bootstrap: %+v, %v", first, err)
	}
	v := svc.Version()
	again, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil || again.Created || again.AdminPassword != "" || again.Admin.ID != first.Admin.ID || svc.Version() != v {
		t.Fatalf("second bootstrap: %+v, %v (version %d, want %d)", again, err, svc.Version(), v)
	}
	if !svc.Can(first.Admin.ID, rbac.Perm("anything", "at-all")) {
		t.Fatal("admin lacks full access")
	}
}

// On a database bootstrapped before, Bootstrap returns what the first one
// created, as it is now, even when the admin was renamed, and another
// instance over the same database sees the same; nothing is hashed or
// written.
func TestBootstrapOnExistingDatabase(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		boss, err := e.svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{
			Login: "boss", FullName: rbac.Text(language.English, "Boss"), FullAccess: true})
		require.NoError(t, err)
		login := "root"
		_, err = e.svc.UpdateStaff(e.ctx, boss.ID, e.admin, rbac.StaffUpdate{Login: &login})
		require.NoError(t, err)
		v := e.svc.Version()

		other, err := rbac.New(e.ctx, e.st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
		require.NoError(t, err)
		defer other.Close()
		again, err := other.Bootstrap(e.ctx, rbac.BootstrapOptions{AdminLogin: "someone-else"})
		require.NoError(t, err)
		assert.False(t, again.Created)
		assert.Empty(t, again.AdminPassword)
		assert.Equal(t, e.boot.Admin.ID, again.Admin.ID)
		assert.Equal(t, "root", again.Admin.Login, "the admin as it is now")
		assert.True(t, again.Admin.FullAccess)
		assert.Equal(t, e.boot.Sales.ID, again.Sales.ID)
		assert.Equal(t, e.boot.Support.ID, again.Support.ID)
		assert.Equal(t, "Sales department", again.Sales.Name.In(language.English))
		assert.True(t, again.Support.AcceptsClientRequests)
		assert.Equal(t, v, other.Version(), "nothing written")

		// A default department deleted since is returned zero.
		require.NoError(t, e.svc.DeleteDepartment(e.ctx, e.admin, e.boot.Sales.ID))
		again, err = e.svc.Bootstrap(e.ctx, rbac.BootstrapOptions{})
		require.NoError(t, err)
		assert.Zero(t, again.Sales.ID)
		assert.Equal(t, e.boot.Support.ID, again.Support.ID)
	})
}
