package admin_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
)

// TestSecurityHeaders: every page has a CSP whose nonce is the one of its
// only script, refuses framing and is not stored; assets are cacheable.
func TestSecurityHeaders(t *testing.T) {
	a := newApp(t, testdb.SQLite)
	c := a.client(a.admin)
	status, body, h := do(t, c, a, "GET", "/staff", nil)
	require.Equal(t, http.StatusOK, status)
	m := regexp.MustCompile(`script-src 'nonce-([A-Za-z0-9_-]+)'`).FindStringSubmatch(h.Get("Content-Security-Policy"))
	require.NotNil(t, m, h.Get("Content-Security-Policy"))
	assert.Equal(t, 1, strings.Count(body, "<script"), "one script")
	assert.Contains(t, body, `<script nonce="`+m[1]+`"`)
	assert.Contains(t, h.Get("Content-Security-Policy"), "frame-ancestors 'none'")
	assert.Contains(t, h.Get("Content-Security-Policy"), "default-src 'none'")
	assert.Equal(t, "DENY", h.Get("X-Frame-Options"))
	assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
	assert.Equal(t, "no-store", h.Get("Cache-Control"))
	_, _, h2 := do(t, c, a, "GET", "/staff", nil)
	assert.NotEqual(t, h.Get("Content-Security-Policy"), h2.Get("Content-Security-Policy"), "a fresh nonce per page")

	status, _, h = do(t, c, a, "GET", "/assets/admin.css", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.NotEqual(t, "no-store", h.Get("Cache-Control"))
}

// TestCrossOriginPostRefused: a form posted from another site is refused
// before any handler runs; the same post from the page's own origin is
// accepted.
func TestCrossOriginPostRefused(t *testing.T) {
	a := newApp(t, testdb.SQLite)
	c := a.client(a.admin)
	post := func(site string) int {
		req, err := http.NewRequestWithContext(t.Context(), "POST", a.srv.URL+mount+"/departments",
			strings.NewReader(url.Values{"name.en": {"Finance " + site}}.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", site)
		resp, err := c.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	v := a.svc.Version()
	assert.Equal(t, http.StatusForbidden, post("cross-site"))
	assert.Equal(t, v, a.svc.Version(), "nothing changed")
	assert.Equal(t, http.StatusSeeOther, post("same-origin"))
	assert.Equal(t, v+1, a.svc.Version())
}

// TestLanguageSwitch: the cookie switches the UI and only ever redirects
// inside the handler.
func TestLanguageSwitch(t *testing.T) {
	a := newApp(t, testdb.SQLite)
	c := a.client(a.admin)
	for back, want := range map[string]string{"/log": mount + "/log", "//evil.example/": mount + "/departments",
		"https://evil.example/": mount + "/departments", "/\\evil.example": mount + "/departments"} {
		status, _, h := do(t, c, a, "GET", "/lang/ru?back="+url.QueryEscape(back), nil)
		assert.Equal(t, http.StatusSeeOther, status)
		assert.Equal(t, want, h.Get("Location"), back)
	}
	_, body, h := do(t, c, a, "GET", "/log", nil)
	assert.Equal(t, "ru", h.Get("Content-Language"))
	assert.Contains(t, body, "Журнал действий")

	fresh := a.client(a.admin)
	req, _ := http.NewRequestWithContext(t.Context(), "GET", a.srv.URL+mount+"/log", nil)
	req.Header.Set("Accept-Language", "ru-RU,ru;q=0.9,en;q=0.5")
	resp, err := fresh.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, "ru", resp.Header.Get("Content-Language"), "Accept-Language")
}
