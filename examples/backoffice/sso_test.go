package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/rbactest"
)

const ssoHeader = "X-Auth-Request-User"

// fakeProxy stands in for an authenticating proxy (oauth2-proxy and the
// OpenID Connect provider behind it): what is faked is the whole sign-in
// at the provider. A request's ?as=NAME is taken as "NAME signed in at the
// provider", whose subject is "oidc|NAME"; the proxy strips any
// ssoHeader the client sent, sets its own, and forwards to the back
// office. No ID token exists, none is verified: in production that is
// the proxy's job, and the back office must be reachable only through it.
func fakeProxy(t *testing.T, backend string) string {
	t.Helper()
	u, err := url.Parse(backend)
	require.NoError(t, err)
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(u)
		pr.Out.Header.Del(ssoHeader)
		if as := pr.In.URL.Query().Get("as"); as != "" {
			pr.Out.Header.Set(ssoHeader, "oidc|"+as)
		}
	}}
	hs := httptest.NewServer(rp)
	t.Cleanup(hs.Close)
	return hs.URL
}

// An SSO-only back office end to end on each backend: no password is
// generated, taken or stored; staff sign in through the proxy by their
// subject; a person the provider knows but who is not staff, a forged
// header and a password sign-in are refused; disabling someone ends
// their session.
func TestBackOfficeSSOOnly(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		st := testdb.Open(t, testdb.DSN(t, b))
		require.NoError(t, st.Migrate(ctx))
		svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{SSOOnly: true, HashParams: rbactest.HashParams()}})
		require.NoError(t, err)
		t.Cleanup(func() { _ = svc.Close() })
		boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{AdminSubject: "oidc|root"})
		require.NoError(t, err)
		require.Empty(t, boot.AdminPassword)
		kate, err := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "kate", FullName: rbac.Text(language.English, "Kate"),
			Subject: "oidc|kate", Departments: []rbac.DepartmentID{boot.Sales.ID}})
		require.NoError(t, err)
		rbactest.AssertCan(t, svc, kate.ID, rbac.Perm(rbac.FuncClients, rbac.ActView))
		rbactest.AssertCannot(t, svc, kate.ID, rbac.Perm(rbac.FuncInvoices, rbac.ActView))

		bo := openServer(t, st, svc, Config{SSOHeader: ssoHeader})
		proxy := fakeProxy(t, bo.url)

		kb := newBrowser(t, proxy)
		code, _ := kb.do("GET", "/sso/signin?as=kate", nil)
		require.Equal(t, http.StatusNoContent, code)
		code, body := kb.do("GET", "/me", nil)
		require.Equal(t, http.StatusOK, code)
		assert.Contains(t, string(body), `"subject":"oidc|kate"`)
		code, _ = kb.do("GET", "/clients", nil)
		assert.Equal(t, http.StatusOK, code)
		code, body = kb.do("GET", "/invoices", nil)
		require.Equal(t, http.StatusForbidden, code)
		assert.Equal(t, "invoices:view", problem(t, body).Permission)

		// The admin signs in the same way and manages staff.
		rb := newBrowser(t, proxy)
		code, _ = rb.do("GET", "/sso/signin?as=root", nil)
		require.Equal(t, http.StatusNoContent, code)
		code, _ = rb.do("GET", "/admin/access/api/staff", nil)
		require.Equal(t, http.StatusOK, code)

		// Refusals: passwords are off; the provider's user who is not
		// staff; a header forged by the client (the proxy strips it).
		code, body = newBrowser(t, proxy).do("POST", "/signin", map[string]string{"login": "kate", "password": "whatever-it-is-1"})
		require.Equal(t, http.StatusForbidden, code)
		assert.Equal(t, "passwords-disabled", problem(t, body).Code)
		code, _ = newBrowser(t, proxy).do("GET", "/sso/signin?as=stranger", nil)
		assert.Equal(t, http.StatusForbidden, code)
		code, _ = newBrowser(t, proxy).do("GET", "/sso/signin", nil, ssoHeader, "oidc|root")
		assert.Equal(t, http.StatusUnauthorized, code)
		code, _ = rb.do("POST", "/admin/access/api/staff/"+kate.ID.String()+"/password", nil)
		assert.Equal(t, http.StatusForbidden, code, "no password to reset")

		// Disabled by the admin: kate's session ends, and she cannot
		// sign in again.
		code, body = rb.do("PUT", "/admin/access/api/staff/"+kate.ID.String()+"/status", map[string]string{"status": "disabled"})
		require.Equal(t, http.StatusOK, code, "%s", body)
		sessionsEnd(t, bo, kate.ID)
		code, _ = kb.do("GET", "/me", nil)
		assert.Equal(t, http.StatusUnauthorized, code)
		code, body = kb.do("GET", "/sso/signin?as=kate", nil)
		require.Equal(t, http.StatusForbidden, code)
		assert.Equal(t, "account-disabled", problem(t, body).Code)
		_, h, err := st.PasswordHash(ctx, "admin")
		require.NoError(t, err)
		assert.Empty(t, h, "no password was ever stored")
	})
}
