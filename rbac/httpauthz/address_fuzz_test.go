package httpauthz_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/billingrbac/billingrbac/rbac/httpauthz"
)

// FuzzClientAddr: whatever the peer and the header, ClientAddr returns a
// valid address or ErrNoAddress; with no trusted proxy it is the peer's,
// whatever the header says.
func FuzzClientAddr(f *testing.F) {
	f.Add("10.1.2.3:443", "203.0.113.9, 10.9.9.9")
	f.Add("[fd00::1]:443", "2001:db8::5")
	f.Add("garbage", ",,, ,")
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		trusted := httpauthz.AddressOptions{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}}
		for _, o := range []httpauthz.AddressOptions{{}, trusted} {
			a, err := o.ClientAddr(r)
			if err != nil {
				if !errors.Is(err, httpauthz.ErrNoAddress) {
					t.Fatalf("ClientAddr: %v", err)
				}
				continue
			}
			if !a.IsValid() {
				t.Fatalf("ClientAddr returned an invalid address without error")
			}
		}
		direct, err := httpauthz.AddressOptions{}.ClientAddr(r)
		if err == nil {
			r.Header.Del("X-Forwarded-For")
			again, _ := httpauthz.AddressOptions{}.ClientAddr(r)
			if again != direct {
				t.Fatalf("with no trusted proxy the header changed the address: %v vs %v", direct, again)
			}
		}
	})
}
