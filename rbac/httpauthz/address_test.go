package httpauthz_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/httpauthz"
)

// TestClientAddr: X-Forwarded-For is ignored unless the peer is a trusted
// proxy; then the client is the right-most address that is not one, and
// what the client wrote further left is never believed.
func TestClientAddr(t *testing.T) {
	proxies := httpauthz.AddressOptions{TrustedProxies: []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}}
	for _, c := range []struct {
		name, remote, xff string
		opts              httpauthz.AddressOptions
		want              string
	}{
		{"no proxy trusted: the header is ignored", "198.51.100.7:5000", "203.0.113.9", httpauthz.AddressOptions{}, "198.51.100.7"},
		{"an untrusted peer's header is ignored", "198.51.100.7:5000", "203.0.113.9", proxies, "198.51.100.7"},
		{"trusted proxy: the client it saw", "10.1.2.3:443", "203.0.113.9", proxies, "203.0.113.9"},
		{"a forged left part is skipped", "10.1.2.3:443", "192.0.2.66, 203.0.113.9, 10.9.9.9", proxies, "203.0.113.9"},
		{"IPv6 through an IPv6 proxy", "[fd00::1]:443", "2001:db8::5", proxies, "2001:db8::5"},
		{"IPv4-mapped peer", "[::ffff:198.51.100.7]:5000", "", httpauthz.AddressOptions{}, "198.51.100.7"},
		{"only proxies: the left-most", "10.1.2.3:443", "10.4.4.4", proxies, "10.4.4.4"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = c.remote
			if c.xff != "" {
				r.Header.Set("X-Forwarded-For", c.xff)
			}
			got, err := c.opts.ClientAddr(r)
			require.NoError(t, err)
			assert.Equal(t, netip.MustParseAddr(c.want), got)
		})
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "10.1.2.3:443"
	r.Header.Set("X-Forwarded-For", "not-an-address")
	_, err := proxies.ClientAddr(r)
	require.ErrorIs(t, err, httpauthz.ErrNoAddress)
}

// TestAddressGuard: every request is checked against the allow-lists
// that apply to the identified staff member, IPv4 and IPv6, and a list
// changed after sign-in applies at once.
func TestAddressGuard(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		f := setup(t, b)
		ctx := context.Background()
		require.NoError(t, f.svc.SetSignInPolicy(ctx, f.admin, rbac.StaffSubject(f.john), rbac.SignInPolicy{
			Networks: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("2001:db8::/32")}}))
		g := httpauthz.AddressGuard(f.svc, headerIdentity, httpauthz.AddressOptions{}, httpauthz.Problems{})
		h := g(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id, _ := httpauthz.StaffFrom(r.Context())
			_, _ = w.Write([]byte(id.String()))
		}))
		call := func(staff rbac.StaffID, remote string) (int, string) {
			r := httptest.NewRequest(http.MethodGet, "/x", nil)
			r.RemoteAddr = remote
			if staff != 0 {
				r.Header.Set("X-Staff-ID", staff.String())
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			var p httpauthz.Problem
			if rec.Code != http.StatusOK {
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
			}
			return rec.Code, p.Code
		}
		for _, c := range []struct {
			remote string
			status int
			code   string
		}{
			{"203.0.113.4:1", 200, ""},
			{"[2001:db8::4]:1", 200, ""},
			{"198.51.100.4:1", 403, "address-not-allowed"},
			{"[2001:db9::4]:1", 403, "address-not-allowed"},
			{"garbage", 400, "no-address"},
		} {
			status, code := call(f.john, c.remote)
			assert.Equal(t, c.status, status, c.remote)
			assert.Equal(t, c.code, code, c.remote)
		}
		status, _ := call(f.admin, "198.51.100.4:1")
		assert.Equal(t, 200, status, "no list applies to the admin")
		status, code := call(0, "203.0.113.4:1")
		assert.Equal(t, 401, status)
		assert.Equal(t, "unauthenticated", code)

		require.NoError(t, f.svc.SetSignInPolicy(ctx, f.admin, rbac.StaffSubject(f.john), rbac.SignInPolicy{}))
		status, _ = call(f.john, "198.51.100.4:1")
		assert.Equal(t, 200, status, "the list was lifted")
	})
}
