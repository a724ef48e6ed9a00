package rbac_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// syncBuffer is a log sink safe for the engine's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A row written into the policy tables (the Casbin table, the temporary
// rules) behind the library's back is
// noticed at the next sync: the instance logs it, reloads (subscribers see
// a Reload) and decides from the rows as they are, like every other
// instance. The library's own writes, every kind of them, never count.
func TestRowsWrittenBehindTheLibrarysBack(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		dsn := testdb.DSN(t, b)
		st := testdb.Open(t, dsn)
		require.NoError(t, st.Migrate(ctx))
		var logs syncBuffer
		svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash},
			Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		require.NoError(t, err)
		defer svc.Close()
		boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
		require.NoError(t, err)
		admin := boot.Admin.ID

		// The library's own writes of every kind: not foreign.
		d, err := svc.CreateDepartment(ctx, admin, rbac.NewDepartment{Name: rbac.Text(language.English, "Finance"), Permissions: []rbac.Permission{pReports}})
		require.NoError(t, err)
		john, err := svc.CreateStaff(ctx, admin, rbac.NewStaff{Login: "john", FullName: rbac.Text(language.English, "John"), Departments: []rbac.DepartmentID{d.ID}})
		require.NoError(t, err)
		require.NoError(t, svc.Grant(ctx, admin, john.ID, pInvoicesView))
		require.NoError(t, svc.GrantTemporary(ctx, admin, john.ID, rbac.Until(time.Now().Add(time.Hour)), pPayments))
		require.NoError(t, svc.SetDepartmentPermissions(ctx, admin, d.ID, pReports, pInvoicesSend))
		require.NoError(t, svc.Revoke(ctx, admin, john.ID, pInvoicesView))
		require.NoError(t, svc.DeleteDepartment(ctx, admin, d.ID))
		var plan rbac.Plan
		require.NoError(t, svc.Grant(rbac.WithDryRun(ctx, &plan), admin, john.ID, pSettingsEdit))
		_, err = svc.CreateStaff(ctx, john.ID, rbac.NewStaff{Login: "mallory", FullName: rbac.Text(language.English, "M")})
		require.ErrorIs(t, err, rbac.ErrPermissionDenied)
		n, err := st.ForeignPolicyWrites(ctx)
		require.NoError(t, err)
		assert.Zero(t, n, "the library's own writes are not foreign")

		sub := svc.Subscribe()
		defer sub.Close()
		require.NoError(t, svc.Sync(ctx))
		assert.False(t, svc.Can(john.ID, pSettingsEdit))

		// Someone writes a grant with SQL.
		require.NoError(t, st.DB().Exec(`INSERT INTO `+store.CasbinRuleTable+` (ptype, v0, v1, v2, v3, v4, v5) VALUES ('p', ?, 'settings', 'edit', '', '', '')`,
			"staff:"+john.ID.String()).Error)
		n, err = st.ForeignPolicyWrites(ctx)
		require.NoError(t, err)
		assert.EqualValues(t, 1, n)
		v := svc.Version()
		require.NoError(t, svc.Sync(ctx))
		assert.True(t, svc.Can(john.ID, pSettingsEdit), "the instance decides from the rows as they are")
		assert.Equal(t, v, svc.Version(), "no change was logged: the version stays")
		select {
		case ev := <-sub.C():
			assert.True(t, ev.Reload, "subscribers are told to re-check everything")
		case <-time.After(10 * time.Second):
			t.Fatal("no Reload event")
		}
		assert.Contains(t, logs.String(), "outside the change log")
		assert.Contains(t, logs.String(), "1 write(s) to the policy tables")

		// Noticed once: the next sync has nothing to say.
		require.NoError(t, svc.Sync(ctx))
		assert.Equal(t, 1, strings.Count(logs.String(), "stored state changed outside the change log"), logs.String())

		// The temporary rules are the other half of the policy: someone
		// deletes John's temporary grant with SQL.
		require.True(t, svc.Can(john.ID, pPayments))
		require.NoError(t, st.DB().Exec(`DELETE FROM `+store.TablePrefix+`temporary_rules WHERE v0 = ?`, "staff:"+john.ID.String()).Error)
		require.NoError(t, svc.Sync(ctx))
		assert.False(t, svc.Can(john.ID, pPayments), "noticed and reloaded")
		assert.Equal(t, 2, strings.Count(logs.String(), "stored state changed outside the change log"), logs.String())
	})
}
