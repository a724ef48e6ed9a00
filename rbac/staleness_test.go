package rbac_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
)

// TestMaxStalenessFailsClosed: an instance that cannot confirm it is
// current (the database unreachable) for longer than MaxStaleness denies
// every staff and client check, explains why, and answers again once a
// catch-up succeeds. Lag reports the time since the last confirmation.
func TestMaxStalenessFailsClosed(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		st := testdb.New(t, b)
		const bound = 100 * time.Millisecond
		svc, err := rbac.New(ctx, st, rbac.Options{MaxStaleness: bound, Accounts: rbac.AccountOptions{HashParams: fastHash}})
		require.NoError(t, err)
		defer svc.Close()
		boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
		require.NoError(t, err)
		john, err := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "john", FullName: rbac.Text(language.English, "John")})
		require.NoError(t, err)
		require.NoError(t, svc.Grant(ctx, boot.Admin.ID, john.ID, pReports))
		cs, err := clients.New(ctx, st.ClientStore(), svc, clients.Options{})
		require.NoError(t, err)
		defer cs.Close()
		c, err := cs.CreateClient(ctx, clients.ByStaff(boot.Admin.ID), clients.NewClient{Name: "A",
			FirstUser: clients.NewUser{Login: "owner", Name: "O"}})
		require.NoError(t, err)
		res := clients.Resource{Kind: clients.KindService, ID: 1, Owner: c.ID}
		require.True(t, svc.Can(john.ID, pReports))
		require.True(t, cs.Can(c.FirstUser, clients.View, res))

		down := errors.New("database unreachable")
		testdb.SetFault(t, st.DB(), func(db *gorm.DB) { _ = db.AddError(down) })
		require.Eventually(t, func() bool { return !svc.Can(john.ID, pReports) }, 10*time.Second, time.Millisecond)
		require.Greater(t, svc.Lag(), bound)
		require.False(t, cs.Can(c.FirstUser, clients.View, res))
		require.Equal(t, clients.DeniedStale, cs.Explain(c.FirstUser, clients.View, res).Reason)
		d := svc.Explain(john.ID, pReports)
		require.True(t, d.Stale && !d.Allowed, "%+v", d)
		require.ErrorIs(t, svc.Check(john.ID, pReports), rbac.ErrPermissionDenied)
		var de *rbac.DeniedError
		require.ErrorAs(t, svc.Check(john.ID, pReports), &de)
		require.Equal(t, rbac.DenialStale, de.Code())

		testdb.SetFault(t, st.DB(), nil)
		require.Eventually(t, func() bool { return svc.Can(john.ID, pReports) }, 10*time.Second, time.Millisecond)
		require.True(t, cs.Can(c.FirstUser, clients.View, res))
		require.Less(t, svc.Lag(), 10*time.Second)
	})
}

// Staleness is off by default: an unreachable database never denies.
func TestNoMaxStalenessByDefault(t *testing.T) {
	ctx := context.Background()
	st := testdb.New(t, testdb.SQLite)
	svc, err := rbac.New(ctx, st, rbac.Options{SyncInterval: time.Millisecond, Accounts: rbac.AccountOptions{HashParams: fastHash}})
	require.NoError(t, err)
	defer svc.Close()
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	require.NoError(t, err)
	testdb.SetFault(t, st.DB(), func(db *gorm.DB) { _ = db.AddError(errors.New("down")) })
	time.Sleep(20 * time.Millisecond)
	require.True(t, svc.Can(boot.Admin.ID, pReports))
	testdb.SetFault(t, st.DB(), nil)
	_, err = rbac.New(ctx, st, rbac.Options{SyncInterval: -1, MaxStaleness: time.Second})
	require.ErrorIs(t, err, rbac.ErrInvalid)
}
