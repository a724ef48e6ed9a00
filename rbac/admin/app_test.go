package admin_test

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/admin"
	"github.com/billingrbac/billingrbac/rbac/httpauthz"
)

const (
	mount         = "/admin/access"
	adminPassword = "correct-horse-battery-staple-42"
)

var fastHash = rbac.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// app is a small back office embedding the admin handler the way an
// application does: its own sign-in and sessions, the handler mounted
// under a prefix.
type app struct {
	t        *testing.T
	svc      *rbac.Service
	admin    rbac.StaffID
	boot     rbac.BootstrapResult
	srv      *httptest.Server
	mu       sync.Mutex
	sessions map[string]rbac.StaffID
}

func newApp(t *testing.T, b testdb.Backend) *app {
	t.Helper()
	st := testdb.New(t, b)
	svc, err := rbac.New(t.Context(), st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	boot, err := svc.Bootstrap(t.Context(), rbac.BootstrapOptions{AdminPassword: adminPassword})
	require.NoError(t, err)
	a := &app{t: t, svc: svc, admin: boot.Admin.ID, boot: boot, sessions: map[string]rbac.StaffID{}}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /signin", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>Sign in</title><form method="post" action="/signin">` +
			`<input name="login" id="login"><input type="password" name="password" id="password">` +
			`<button id="signin">Sign in</button></form>`))
	})
	mux.HandleFunc("POST /signin", func(w http.ResponseWriter, r *http.Request) {
		st, err := svc.Authenticate(r.Context(), r.PostFormValue("login"), r.PostFormValue("password"))
		if err != nil {
			http.Error(w, "bad login or password", http.StatusUnauthorized)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: a.session(st.ID), Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, mount+"/departments", http.StatusSeeOther)
	})
	h := admin.New(svc, admin.Options{Identify: a.identify})
	mux.Handle(mount+"/", http.StripPrefix(mount, h))
	a.srv = httptest.NewServer(mux)
	t.Cleanup(a.srv.Close)
	return a
}

func (a *app) session(id rbac.StaffID) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	sid := hex.EncodeToString(b[:])
	a.mu.Lock()
	a.sessions[sid] = id
	a.mu.Unlock()
	return sid
}

func (a *app) identify(r *http.Request) (rbac.StaffID, error) {
	c, err := r.Cookie("sid")
	if err != nil {
		return 0, httpauthz.ErrNoIdentity
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if id, ok := a.sessions[c.Value]; ok {
		return id, nil
	}
	return 0, httpauthz.ErrNoIdentity
}

// client is a browser-like client signed in as id: cookies, no redirects
// followed (so a test sees the 303 of a saved form).
func (a *app) client(id rbac.StaffID) *http.Client {
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(a.srv.URL)
	jar.SetCookies(u, []*http.Cookie{{Name: "sid", Value: a.session(id), Path: "/"}})
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// do sends a request to the admin handler and returns status and body.
func do(t *testing.T, c *http.Client, a *app, method, path string, form url.Values) (int, string, http.Header) {
	t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequestWithContext(t.Context(), method, a.srv.URL+mount+path, body)
	require.NoError(t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b), resp.Header
}
