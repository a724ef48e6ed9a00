package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac/httpauthz"
)

// TestServer starts the example on a loopback port and drives it with
// net/http requests: 200 when permitted, 403 with a problem body naming
// the permission, 401 without an identity.
func TestServer(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		a, err := open(ctx, testdb.DSN(t, b))
		require.NoError(t, err)
		defer a.close()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		srv := &http.Server{Handler: a.handler()}
		served := make(chan error, 1)
		go func() { served <- srv.Serve(ln) }()
		defer func() {
			_ = srv.Shutdown(ctx)
			assert.ErrorIs(t, <-served, http.ErrServerClosed, "serve")
		}()
		base := "http://" + ln.Addr().String()

		call := func(method, path, login string) (int, http.Header, string) {
			t.Helper()
			req, err := http.NewRequestWithContext(ctx, method, base+path, nil)
			require.NoError(t, err)
			if login != "" {
				req.Header.Set("X-Staff-Login", login)
			}
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			body, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			return res.StatusCode, res.Header, string(body)
		}
		problem := func(h http.Header, body string) httpauthz.Problem {
			t.Helper()
			require.Equal(t, "application/problem+json", h.Get("Content-Type"))
			var p httpauthz.Problem
			require.NoError(t, json.Unmarshal([]byte(body), &p), "problem body %q", body)
			return p
		}

		// Permitted: john holds invoices:view by a direct grant, clients:view from Sales.
		ok := func(method, path, login, want string) {
			t.Helper()
			code, _, body := call(method, path, login)
			assert.Equal(t, 200, code, "%s %s %s: %s", login, method, path, body)
			if want != "" {
				assert.Equal(t, want+"\n", body, "%s %s %s", login, method, path)
			}
		}
		ok("GET", "/invoices", "john", `[{"id":101,"client":1,"amount":"120.00 EUR","status":"paid"},{"id":102,"client":2,"amount":"35.50 EUR","status":"unpaid"}]`)
		ok("GET", "/clients", "john", `[{"id":1,"name":"Acme Hosting Ltd"},{"id":2,"name":"Globex Web"}]`)
		ok("POST", "/services/7/suspend", "mary", `{"service":7,"status":"suspended"}`)
		ok("POST", "/services/8/suspend", "admin", "")

		// Denied: john (Sales) may not suspend services; mary may not see invoices.
		code, h, body := call("POST", "/services/7/suspend", "john")
		p := problem(h, body)
		// Explanations name departments: off unless the Guard is told to show them.
		assert.Equal(t, 403, code)
		assert.Equal(t, httpauthz.Problem{Type: "about:blank", Status: 403, Title: "Forbidden", Permission: "services:suspend",
			Detail: "staff 2 lacks the permission services:suspend", Instance: "/services/7/suspend", Code: "permission-denied"},
			p, "john POST suspend")
		code, h, body = call("GET", "/invoices", "mary")
		p = problem(h, body)
		assert.Equal(t, 403, code)
		assert.Equal(t, "invoices:view", p.Permission, "mary GET /invoices")
		assert.Equal(t, "permission-denied", p.Code, "mary GET /invoices")

		// No identity, or an unknown login: 401.
		for _, login := range []string{"", "nobody"} {
			code, h, body = call("GET", "/clients", login)
			p = problem(h, body)
			assert.Equal(t, 401, code, "login %q GET /clients", login)
			assert.Equal(t, 401, p.Status, "login %q GET /clients", login)
			assert.Equal(t, "clients:view", p.Permission, "login %q GET /clients", login)
		}

		// The admin screens, mounted behind SignedIn: the admin reads the
		// departments, john (Sales) is refused the action log by the library.
		ok("GET", "/admin/access/api/departments", "admin", "")
		code, h, body = call("GET", "/admin/access/api/log", "john")
		assert.Equal(t, 403, code)
		assert.Equal(t, "actionlog:view", problem(h, body).Permission)
		code, _, body = call("GET", "/admin/access/staff", "admin")
		assert.Equal(t, 200, code)
		assert.Contains(t, body, `data-login="john"`)

		// The mux still answers routes it does not know and bad input itself.
		code, _, _ = call("GET", "/nowhere", "admin")
		assert.Equal(t, 404, code, "GET /nowhere")
		code, _, _ = call("POST", "/services/x/suspend", "admin")
		assert.Equal(t, 400, code, "POST /services/x/suspend")
	})
}

// Opening an already seeded database keeps its staff.
func TestOpenTwice(t *testing.T) {
	ctx := context.Background()
	dsn := testdb.DSN(t, testdb.SQLite)
	a, err := open(ctx, dsn)
	require.NoError(t, err)
	a.close()
	a, err = open(ctx, dsn)
	require.NoError(t, err)
	defer a.close()
	all, err := a.svc.StaffMembers(ctx)
	require.NoError(t, err)
	assert.Len(t, all, 3, "staff after reopening")
}
