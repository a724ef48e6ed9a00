package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/httpauthz"
	"github.com/billingrbac/billingrbac/rbac/rbactest"
	"github.com/billingrbac/billingrbac/store"
)

// server is one back-office process: its Service and App on a shared
// database, behind an httptest server.
type server struct {
	svc *rbac.Service
	app *App
	url string
}

// openServer starts a back office on st with svc.
func openServer(t *testing.T, st *store.Store, svc *rbac.Service, cfg Config) *server {
	t.Helper()
	app, err := New(context.Background(), st, svc, cfg)
	require.NoError(t, err)
	hs := httptest.NewServer(app.Handler())
	t.Cleanup(func() { hs.Close(); app.Close() })
	return &server{svc: svc, app: app, url: hs.URL}
}

// secondService opens another Service on the same database, as a second
// server of the same installation would.
func secondService(t *testing.T, dsn string, opts rbac.Options) (*store.Store, *rbac.Service) {
	t.Helper()
	st := testdb.Open(t, dsn)
	if opts.Accounts.HashParams == (rbac.HashParams{}) {
		opts.Accounts.HashParams = rbactest.HashParams()
	}
	svc, err := rbac.New(context.Background(), st, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	return st, svc
}

// browser is a client with its own cookie jar: one person's browser.
type browser struct {
	t    *testing.T
	c    *http.Client
	base string
}

func newBrowser(t *testing.T, base string) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &browser{t: t, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}, base: base}
}

// do sends a request (body: nil or a value sent as JSON) and returns the
// status and the body.
func (b *browser) do(method, path string, body any, header ...string) (int, []byte) {
	b.t.Helper()
	var rd io.Reader
	if body != nil {
		buf, err := json.Marshal(body)
		require.NoError(b.t, err)
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, b.base+path, rd)
	require.NoError(b.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := b.c.Do(req)
	require.NoError(b.t, err)
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	require.NoError(b.t, err)
	return res.StatusCode, out
}

// problem decodes an RFC 9457 body.
func problem(t *testing.T, body []byte) httpauthz.Problem {
	t.Helper()
	var p httpauthz.Problem
	require.NoError(t, json.Unmarshal(body, &p), "problem body %s", body)
	return p
}

// sessionsEnd waits until staff holds no session on s: the subscription
// delivers changes asynchronously (from another server, after its
// notification). It fails after a generous bound, not a timing claim.
func sessionsEnd(t *testing.T, s *server, staff rbac.StaffID) {
	t.Helper()
	require.Eventually(t, func() bool { return s.app.sessions.Count(staff) == 0 },
		30*time.Second, 10*time.Millisecond, "sessions of staff %s still open", staff)
}
