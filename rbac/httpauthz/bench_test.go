package httpauthz_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/httpauthz"
)

// BenchmarkGuard: the Guard's cost around a handler that does nothing, for
// an allowed request (which puts the identity in the request's context),
// a denied one, and a denied one with explanations on (department names,
// read from SQLite), against the bare handler.
func BenchmarkGuard(b *testing.B) {
	f := setup(b, testdb.SQLite)
	g := httpauthz.New(httpauthz.Staff(f.svc, func(*http.Request) (rbac.StaffID, error) { return f.john, nil }), httpauthz.Options{})
	explained := httpauthz.New(httpauthz.Staff(f.svc, func(*http.Request) (rbac.StaffID, error) { return f.john, nil }),
		httpauthz.Options{ExplainDenials: true})
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	req := httptest.NewRequest("GET", "/clients", nil)
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{
		{"bare", noop},
		{"allowed", g.Require(rbac.Perm(rbac.FuncClients, rbac.ActView), noop)},
		{"denied", g.Require(rbac.Perm(rbac.FuncSettings, rbac.ActEdit), noop)},
		{"denied-explained", explained.Require(rbac.Perm(rbac.FuncSettings, rbac.ActEdit), noop)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			w := httptest.NewRecorder()
			for b.Loop() {
				bc.h.ServeHTTP(w, req)
			}
		})
	}
}
