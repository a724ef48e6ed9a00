package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/rbactest"
)

const (
	bossPW = "Umbrella-Quartz-Nine-41"
	johnPW = "Lantern-Copper-Seven-82"
	maryPW = "Harbour-Velvet-Three-19"
)

var fixture = rbactest.Fixture{Staff: []rbactest.FixtureStaff{
	{Login: "boss", FullAccess: true, Password: bossPW},
	{Login: "john", Departments: []string{"Sales department"}, Password: johnPW,
		Grants: []string{"invoices:view", "invoices:add", "invoices:send"}},
	{Login: "mary", Departments: []string{"Technical support"}, Password: maryPW},
}}

// The back office with passwords, end to end on each backend, on two
// servers sharing the database: sign-in, guarded routes with the
// identity in the handler, the app's own tables beside the library's,
// the library's admin API, and the sessions of someone disabled through
// it ending on both servers.
func TestBackOffice(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		dsn := testdb.DSN(t, b)
		st := testdb.Open(t, dsn)
		require.NoError(t, st.Migrate(ctx))
		in, err := rbactest.BuildOn(ctx, st, fixture, rbac.Options{})
		require.NoError(t, err)
		t.Cleanup(func() { _ = in.Close() })
		one := openServer(t, st, in.Service, Config{})
		st2, svc2 := secondService(t, dsn, rbac.Options{SyncInterval: 100 * time.Millisecond})
		two := openServer(t, st2, svc2, Config{})
		john, mary := in.StaffID("john"), in.StaffID("mary")

		// The test kit states the rules the routes rely on.
		rbactest.AssertCan(t, in.Service, john, rbac.Perm(rbac.FuncInvoices, rbac.ActSend))
		rbactest.AssertCan(t, in.Service, john, rbac.Perm(rbac.FuncClients, rbac.ActAdd))
		rbactest.AssertCannot(t, in.Service, mary, rbac.Perm(rbac.FuncInvoices, rbac.ActView))

		anon := newBrowser(t, one.url)
		code, body := anon.do("GET", "/invoices", nil)
		require.Equal(t, http.StatusUnauthorized, code)
		assert.Equal(t, "unauthenticated", problem(t, body).Code)

		jb := newBrowser(t, one.url)
		code, body = jb.do("POST", "/signin", map[string]string{"login": "john", "password": johnPW + "x"})
		require.Equal(t, http.StatusUnauthorized, code)
		assert.Equal(t, "bad-credentials", problem(t, body).Code)
		code, _ = jb.do("POST", "/signin", map[string]string{"login": "John", "password": johnPW})
		require.Equal(t, http.StatusNoContent, code)
		code, body = jb.do("GET", "/me", nil)
		require.Equal(t, http.StatusOK, code)
		assert.Contains(t, string(body), `"login":"john"`)

		// John's work, in the app's own tables.
		code, body = jb.do("POST", "/clients", map[string]string{"name": "Acme Hosting Ltd", "email": "billing@acme.example"})
		require.Equal(t, http.StatusCreated, code, "%s", body)
		var c Client
		require.NoError(t, json.Unmarshal(body, &c))
		code, body = jb.do("POST", "/invoices", map[string]any{"client_id": c.ID, "amount_cents": 12000, "currency": "EUR"})
		require.Equal(t, http.StatusCreated, code, "%s", body)
		var inv Invoice
		require.NoError(t, json.Unmarshal(body, &inv))
		code, body = jb.do("POST", fmt.Sprintf("/invoices/%d/send", inv.ID), nil)
		require.Equal(t, http.StatusOK, code, "%s", body)
		require.NoError(t, json.Unmarshal(body, &inv))
		assert.Equal(t, "sent", inv.Status)
		assert.Equal(t, int64(john), inv.SentBy, "the handler's identity is the guard's")
		code, _ = jb.do("POST", fmt.Sprintf("/invoices/%d/send", inv.ID), nil)
		assert.Equal(t, http.StatusNotFound, code, "sent once")
		code, body = jb.do("POST", "/invoices", map[string]any{"client_id": 999999, "amount_cents": 0, "currency": "EURO"})
		require.Equal(t, http.StatusBadRequest, code)
		assert.Len(t, problem(t, body).Errors, 3)

		// Mary, in support: the guard refuses and names the permission.
		mb := newBrowser(t, one.url)
		code, _ = mb.do("POST", "/signin", map[string]string{"login": "mary", "password": maryPW})
		require.Equal(t, http.StatusNoContent, code)
		code, body = mb.do("GET", "/invoices", nil)
		require.Equal(t, http.StatusForbidden, code)
		assert.Equal(t, "invoices:view", problem(t, body).Permission)
		code, _ = mb.do("GET", "/clients", nil)
		assert.Equal(t, http.StatusOK, code, "support views clients")

		// A cross-origin write with the session cookie is refused.
		code, _ = jb.do("POST", "/clients", map[string]string{"name": "Evil"}, "Sec-Fetch-Site", "cross-site")
		assert.Equal(t, http.StatusForbidden, code)

		// The admin API is the library's: john may not list departments,
		// the boss may.
		code, _ = jb.do("GET", "/admin/access/api/departments", nil)
		assert.Equal(t, http.StatusForbidden, code)
		bb := newBrowser(t, one.url)
		code, _ = bb.do("POST", "/signin", map[string]string{"login": "boss", "password": bossPW})
		require.Equal(t, http.StatusNoContent, code)
		code, _ = bb.do("GET", "/admin/access/api/departments", nil)
		require.Equal(t, http.StatusOK, code)

		// John also works on the second server.
		jb2 := newBrowser(t, two.url)
		code, _ = jb2.do("POST", "/signin", map[string]string{"login": "john", "password": johnPW})
		require.Equal(t, http.StatusNoContent, code)
		code, _ = jb2.do("GET", "/invoices", nil)
		require.Equal(t, http.StatusOK, code)

		// The boss disables john through the admin API of server one: his
		// sessions end on both servers, by the change subscription.
		code, body = bb.do("PUT", fmt.Sprintf("/admin/access/api/staff/%d/status", john), map[string]string{"status": "disabled"})
		require.Equal(t, http.StatusOK, code, "%s", body)
		sessionsEnd(t, one, john)
		sessionsEnd(t, two, john)
		code, _ = jb.do("GET", "/me", nil)
		assert.Equal(t, http.StatusUnauthorized, code)
		code, _ = jb2.do("GET", "/invoices", nil)
		assert.Equal(t, http.StatusUnauthorized, code)
		code, body = jb.do("POST", "/signin", map[string]string{"login": "john", "password": johnPW})
		require.Equal(t, http.StatusForbidden, code)
		assert.Equal(t, "account-disabled", problem(t, body).Code)
		assert.Equal(t, 1, one.app.sessions.Count(mary), "mary's session is untouched")

		// Signing out ends the session.
		code, _ = mb.do("POST", "/signout", nil)
		require.Equal(t, http.StatusNoContent, code)
		code, _ = mb.do("GET", "/clients", nil)
		assert.Equal(t, http.StatusUnauthorized, code)
	})
}
