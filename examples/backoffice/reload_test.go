package main

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/rbactest"
	"github.com/billingrbac/billingrbac/store"
)

// After a reload nothing says which changes happened, so the back office
// re-checks every session: here John is disabled by a row written into
// the Casbin table behind the library's back, which the Service notices
// at its next sync and reloads; his session ends, Mary's stays.
func TestSessionsRecheckedAfterReload(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		st := testdb.Open(t, testdb.DSN(t, b))
		require.NoError(t, st.Migrate(ctx))
		in, err := rbactest.BuildOn(ctx, st, fixture, rbac.Options{})
		require.NoError(t, err)
		t.Cleanup(func() { _ = in.Close() })
		one := openServer(t, st, in.Service, Config{})
		john, mary := in.StaffID("john"), in.StaffID("mary")

		jb, mb := newBrowser(t, one.url), newBrowser(t, one.url)
		code, _ := jb.do("POST", "/signin", map[string]string{"login": "john", "password": johnPW})
		require.Equal(t, http.StatusNoContent, code)
		code, _ = mb.do("POST", "/signin", map[string]string{"login": "mary", "password": maryPW})
		require.Equal(t, http.StatusNoContent, code)

		require.NoError(t, st.DB().Exec(`INSERT INTO `+store.CasbinRuleTable+` (ptype, v0, v1, v2, v3, v4, v5) VALUES ('g2', ?, 'disabled', '', '', '', '')`,
			"staff:"+john.String()).Error)
		require.NoError(t, in.Service.Sync(ctx)) // what the periodic catch-up does
		sessionsEnd(t, one, john)
		code, _ = jb.do("GET", "/me", nil)
		assert.Equal(t, http.StatusUnauthorized, code)
		assert.Equal(t, 1, one.app.sessions.Count(mary), "a session the reload does not concern stays")
		code, _ = mb.do("GET", "/me", nil)
		assert.Equal(t, http.StatusOK, code)
	})
}
