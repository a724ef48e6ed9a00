package rbac_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// Two instances writing at the same moment on PostgreSQL, each write
// waiting for the other's version lock: every write chains to the change
// committed before it, so no instance takes its own lock's view for a
// foreign history and reloads everything inside the lock (subscribers
// would see a Reload), and both end with the same decisions.
func TestContendedWritesNoReload(t *testing.T) {
	ctx := context.Background()
	dsn := testdb.DSN(t, testdb.Postgres)
	stA := testdb.Open(t, dsn)
	require.NoError(t, stA.Migrate(ctx))
	stB := testdb.Open(t, dsn)
	opts := rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}}
	a, err := rbac.New(ctx, stA, opts)
	require.NoError(t, err)
	defer a.Close()
	boot, err := a.Bootstrap(ctx, rbac.BootstrapOptions{})
	require.NoError(t, err)
	admin := boot.Admin.ID
	var staff []rbac.StaffID
	for i := range 8 {
		s, err := a.CreateStaff(ctx, admin, rbac.NewStaff{Login: fmt.Sprintf("staff%d", i), FullName: rbac.Text(language.English, "S")})
		require.NoError(t, err)
		staff = append(staff, s.ID)
	}
	b, err := rbac.New(ctx, stB, opts)
	require.NoError(t, err)
	defer b.Close()
	subA, subB := a.Subscribe(), b.Subscribe()
	defer subA.Close()
	defer subB.Close()

	perms := []rbac.Permission{pInvoicesView, pInvoicesSend, pReports, pPayments, pSettingsEdit}
	var wg sync.WaitGroup
	for w, svc := range []*rbac.Service{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 60 {
				id := staff[(i+w)%len(staff)]
				p := perms[(i/len(staff)+w)%len(perms)]
				assert.NoError(t, svc.Grant(ctx, admin, id, p))
				assert.NoError(t, svc.Revoke(ctx, admin, id, p))
			}
		}()
	}
	wg.Wait()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	require.NoError(t, a.WaitFor(wctx, b.Version()))
	require.NoError(t, b.WaitFor(wctx, a.Version()))
	final := a.Version()
	for _, sub := range []*rbac.Subscription{subA, subB} {
		for seen := int64(0); seen < final; {
			select {
			case ev := <-sub.C():
				require.False(t, ev.Reload, "an instance reloaded at version %d", ev.Version)
				seen = ev.Version
			case <-wctx.Done():
				t.Fatalf("events up to version %d: got to %d", final, seen)
			}
		}
	}
	for _, id := range staff {
		for _, p := range perms {
			assert.Equal(t, a.Can(id, p), b.Can(id, p))
		}
	}
}
