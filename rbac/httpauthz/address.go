package httpauthz

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/billingrbac/billingrbac/rbac"
)

// AddressOptions says where a request's client address comes from. The
// zero value trusts no proxy: the address is the connection's peer
// (http.Request.RemoteAddr) and X-Forwarded-For is ignored, since any
// client can send that header.
type AddressOptions struct {
	// TrustedProxies are the networks of the reverse proxies in front of
	// the application (a load balancer's subnet, 127.0.0.1/32 for a local
	// nginx). Only when the peer is one of them is the forwarding header
	// read, from the right: the client is the first address, walking
	// left, that is not a trusted proxy. Addresses further left were
	// written by the client and are never believed.
	TrustedProxies []netip.Prefix
	// Header is the forwarding header; "" means X-Forwarded-For. Name the
	// one your proxy overwrites (X-Real-IP is read the same way: one
	// address).
	Header string
}

// ErrNoAddress is returned by ClientAddr when the request's address
// cannot be read (a RemoteAddr that is not an IP address and port, or a
// trusted proxy's header that is malformed).
var ErrNoAddress = errors.New("httpauthz: no client address")

// ClientAddr returns r's client address under o (see AddressOptions).
func (o AddressOptions) ClientAddr(r *http.Request) (netip.Addr, error) {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	var addr netip.Addr
	if err == nil {
		addr = peer.Addr().Unmap()
	} else if a, perr := netip.ParseAddr(r.RemoteAddr); perr == nil {
		addr = a.Unmap() // some servers and tests give no port
	} else {
		return netip.Addr{}, fmt.Errorf("%w: remote address %q", ErrNoAddress, r.RemoteAddr)
	}
	if !o.trusted(addr) {
		return addr, nil
	}
	h := o.Header
	if h == "" {
		h = "X-Forwarded-For"
	}
	var hops []string
	for _, v := range r.Header.Values(h) {
		for _, f := range strings.Split(v, ",") {
			hops = append(hops, strings.TrimSpace(f))
		}
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := parseHop(hops[i])
		if err != nil {
			return netip.Addr{}, fmt.Errorf("%w: %s %q", ErrNoAddress, h, hops[i])
		}
		addr = a
		if !o.trusted(a) {
			break
		}
	}
	return addr, nil
}

func parseHop(s string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), nil
	}
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		return netip.Addr{}, err
	}
	a, err := netip.ParseAddr(host)
	return a.Unmap(), err
}

func (o AddressOptions) trusted(a netip.Addr) bool {
	for _, p := range o.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// AddressGuard returns middleware that lets a request through only when
// the staff member identify names may work from its client address under
// the network allow-lists that apply to them (rbac.Service.CheckAddress:
// their own and their departments' sign-in policies, read from svc's
// cache, no database read while they do not change). Otherwise it answers
// 403 "address-not-allowed"; no identity is 401, an unreadable address
// 400 as Problems write them. Sign-in checks the same lists
// (Service.AuthenticateFrom): this guard closes sessions that moved, and
// applies a list changed after sign-in.
func AddressGuard(svc *rbac.Service, identify StaffFunc, opts AddressOptions, problems Problems) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id, err := identify(r)
			if err == nil && id <= 0 {
				err = ErrNoIdentity
			}
			if err != nil {
				problems.WriteError(w, r, err)
				return
			}
			addr, err := opts.ClientAddr(r)
			if err != nil {
				problems.WriteError(w, r, err)
				return
			}
			if err := svc.CheckAddress(r.Context(), id, addr); err != nil {
				problems.WriteError(w, r, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(WithIdentity(r.Context(), id)))
		})
	}
}
