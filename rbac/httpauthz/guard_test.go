package httpauthz_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/httpauthz"
)

var fastHash = rbac.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

type fixture struct {
	svc   *rbac.Service
	admin rbac.StaffID
	john  rbac.StaffID // Sales department
}

func setup(t testing.TB, b testdb.Backend) fixture {
	t.Helper()
	ctx := context.Background()
	st := testdb.Open(t, testdb.DSN(t, b))
	require.NoError(t, st.Migrate(ctx))
	svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	require.NoError(t, err)
	john, err := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "john",
		FullName: rbac.Text(language.English, "John"), Departments: []rbac.DepartmentID{boot.Sales.ID}})
	require.NoError(t, err)
	return fixture{svc: svc, admin: boot.Admin.ID, john: john.ID}
}

// headerIdentity reads the staff ID from X-Staff-ID (tests only).
func headerIdentity(r *http.Request) (rbac.StaffID, error) {
	v := r.Header.Get("X-Staff-ID")
	if v == "" {
		return 0, httpauthz.ErrNoIdentity
	}
	return rbac.ParseStaffID(v)
}

func do(t *testing.T, h http.Handler, method, path string, staff rbac.StaffID) (*http.Response, httpauthz.Problem, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	if staff != 0 {
		req.Header.Set("X-Staff-ID", staff.String())
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	var p httpauthz.Problem
	if res.Header.Get("Content-Type") == httpauthz.ProblemContentType {
		require.NoError(t, json.Unmarshal(body, &p), "problem body %q", body)
	}
	return res, p, string(body)
}

func TestGuardWithServeMux(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		f := setup(t, b)
		g := httpauthz.New(httpauthz.Staff(f.svc, headerIdentity), httpauthz.Options{})
		mux := http.NewServeMux()
		mux.Handle("POST /services/{id}/suspend", g.RequireFunc(rbac.Perm(rbac.FuncServices, rbac.ActSuspend),
			func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, "suspended %s", r.PathValue("id")) }))
		mux.Handle("GET /clients", g.RequireFunc(rbac.Perm(rbac.FuncClients, rbac.ActView),
			func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "clients") }))

		t.Run("permitted", func(t *testing.T) {
			res, _, body := do(t, mux, "GET", "/clients", f.john)
			assert.Equal(t, 200, res.StatusCode)
			assert.Equal(t, "clients", body)
			res, _, body = do(t, mux, "POST", "/services/42/suspend", f.admin)
			assert.Equal(t, 200, res.StatusCode)
			assert.Equal(t, "suspended 42", body)
		})
		t.Run("denied, explanation off by default", func(t *testing.T) {
			res, p, _ := do(t, mux, "POST", "/services/42/suspend", f.john)
			assert.Equal(t, 403, res.StatusCode)
			assert.Equal(t, httpauthz.Problem{
				Type: "about:blank", Title: "Forbidden", Status: 403,
				Detail:     fmt.Sprintf("staff %s lacks the permission services:suspend", f.john),
				Instance:   "/services/42/suspend",
				Code:       "permission-denied",
				Permission: "services:suspend",
			}, p)
			assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))
		})
		t.Run("no identity", func(t *testing.T) {
			res, p, _ := do(t, mux, "GET", "/clients", 0)
			assert.Equal(t, 401, res.StatusCode)
			assert.Equal(t, httpauthz.Problem{Type: "about:blank", Title: "Unauthorized", Status: 401,
				Detail:   "this request needs an authenticated party holding the permission clients:view",
				Instance: "/clients", Code: "unauthenticated", Permission: "clients:view"}, p)
			assert.Equal(t, "Bearer", res.Header.Get("WWW-Authenticate"))
		})
	})
}

func TestGuardOptions(t *testing.T) {
	f := setup(t, testdb.SQLite)
	var logged error
	g := httpauthz.New(httpauthz.Staff(f.svc, headerIdentity), httpauthz.Options{
		ProblemTypeBase: "https://billing.example/problems/",
		ExplainDenials:  true,
		Challenge:       `Cookie realm="panel"`,
		OnError:         func(_ *http.Request, err error) { logged = err },
	})
	h := g.Middleware(rbac.Perm(rbac.FuncSettings, rbac.ActEdit))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("handler ran on a denied request")
	}))
	res, p, _ := do(t, h, "PUT", "/settings", f.john)
	assert.Equal(t, 403, res.StatusCode)
	assert.Equal(t, "https://billing.example/problems/permission-denied", p.Type)
	assert.Equal(t, "settings:edit", p.Permission)
	assert.Equal(t, "john may not settings:edit: missing settings:edit", p.Explanation)

	res, p, _ = do(t, h, "PUT", "/settings", 0)
	assert.Equal(t, 401, res.StatusCode)
	assert.Equal(t, "https://billing.example/problems/unauthenticated", p.Type)
	assert.Equal(t, `Cookie realm="panel"`, res.Header.Get("WWW-Authenticate"))

	// A malformed identity is an identity lookup failure: 500, reported.
	req := httptest.NewRequest("PUT", "/settings", nil)
	req.Header.Set("X-Staff-ID", "abc")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, 500, rec.Code)
	assert.ErrorIs(t, logged, rbac.ErrInvalid)

	// A zero ID means no identity.
	zero := httpauthz.New(httpauthz.Staff(f.svc, func(*http.Request) (rbac.StaffID, error) { return 0, nil }), httpauthz.Options{})
	res, _, _ = do(t, zero.Require(rbac.Perm(rbac.FuncClients, rbac.ActView), http.NotFoundHandler()), "GET", "/", 0)
	assert.Equal(t, 401, res.StatusCode)
}

// The explanation names departments: shown only when asked for.
func TestGuardExplainsOnlyWhenAsked(t *testing.T) {
	f := setup(t, testdb.SQLite)
	suspend := rbac.Perm(rbac.FuncServices, rbac.ActSuspend)
	for _, explain := range []bool{false, true} {
		g := httpauthz.New(httpauthz.Staff(f.svc, headerIdentity), httpauthz.Options{ExplainDenials: explain})
		_, p, body := do(t, g.Require(suspend, http.NotFoundHandler()), "POST", "/s", f.john)
		if explain {
			assert.Equal(t, `john may not services:suspend: missing services:suspend; held by department "Technical support"`, p.Explanation)
		} else {
			assert.Empty(t, p.Explanation)
			assert.NotContains(t, body, "Technical support")
		}
	}
}

// Disabled staff and staff unknown to the index are denied with a 403.
func TestGuardDisabledAndUnknown(t *testing.T) {
	f := setup(t, testdb.SQLite)
	disabled := rbac.StatusDisabled
	if _, err := f.svc.UpdateStaff(context.Background(), f.admin, f.john, rbac.StaffUpdate{Status: &disabled}); err != nil {
		t.Fatal(err)
	}
	h := httpauthz.New(httpauthz.Staff(f.svc, headerIdentity), httpauthz.Options{}).
		Require(rbac.Perm(rbac.FuncClients, rbac.ActView), http.NotFoundHandler())
	explained := httpauthz.New(httpauthz.Staff(f.svc, headerIdentity), httpauthz.Options{ExplainDenials: true}).
		Require(rbac.Perm(rbac.FuncClients, rbac.ActView), http.NotFoundHandler())
	_, pe, _ := do(t, explained, "GET", "/clients", f.john)
	assert.Equal(t, "john may not clients:view: the account is disabled", pe.Explanation)
	res, p, _ := do(t, h, "GET", "/clients", f.john)
	assert.Equal(t, 403, res.StatusCode)
	assert.Equal(t, fmt.Sprintf("staff %s lacks the permission clients:view", f.john), p.Detail)
	res, p, _ = do(t, h, "GET", "/clients", 999)
	assert.Equal(t, 403, res.StatusCode)
	assert.Equal(t, "staff 999 lacks the permission clients:view", p.Detail)
}

// Any http.Handler router works: the Guard is a plain http.Handler.
func TestGuardCustomDecider(t *testing.T) {
	d := httpauthz.DeciderFunc(func(r *http.Request, p rbac.Permission) (httpauthz.Outcome, error) {
		if r.Header.Get("X-Client") == "7" && p == rbac.Perm(rbac.FuncInvoices, rbac.ActView) {
			return httpauthz.Outcome{Allowed: true, Subject: "client 7"}, nil
		}
		if r.Header.Get("X-Client") == "" {
			return httpauthz.Outcome{}, fmt.Errorf("no client: %w", httpauthz.ErrNoIdentity)
		}
		return httpauthz.Outcome{Subject: "client " + r.Header.Get("X-Client"), Explanation: "not the owner"}, nil
	})
	h := httpauthz.New(d, httpauthz.Options{}).Require(rbac.Perm(rbac.FuncInvoices, rbac.ActView),
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	for _, tc := range []struct {
		client string
		status int
	}{{"7", 200}, {"8", 403}, {"", 401}} {
		req := httptest.NewRequest("GET", "/invoices/1", nil)
		if tc.client != "" {
			req.Header.Set("X-Client", tc.client)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, tc.status, rec.Code, "client %q", tc.client)
	}
}

// A request whose context is cancelled during the identity lookup (the
// client went away) is answered 503 without a body and without OnError.
func TestGuardCancelled(t *testing.T) {
	called := false
	g := httpauthz.New(httpauthz.DeciderFunc(func(r *http.Request, p rbac.Permission) (httpauthz.Outcome, error) {
		return httpauthz.Outcome{}, fmt.Errorf("lookup session: %w", r.Context().Err())
	}), httpauthz.Options{OnError: func(*http.Request, error) { called = true }})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("GET", "/clients", nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	g.Require(rbac.Perm(rbac.FuncClients, rbac.ActView), http.NotFoundHandler()).ServeHTTP(rec, req)
	assert.Equal(t, 503, rec.Code)
	assert.Zero(t, rec.Body.Len())
	assert.False(t, called, "OnError called for a cancelled request")
}
