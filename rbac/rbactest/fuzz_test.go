package rbactest_test

import (
	"errors"
	"os"
	"testing"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/rbactest"
)

// FuzzParseSuite: any input either parses into a suite that validates, or
// fails with an error; it never panics.
func FuzzParseSuite(f *testing.F) {
	seed, err := os.ReadFile("testdata/product.policytest.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(wrongSuite))
	f.Add([]byte(`{"tests":[{"name":"a","expect":[{"who_can":"a:b","are":[]}]}]}`))
	f.Add([]byte("tests:\n  - name: a\n    expect:\n      - {staff: j, can: a:b, because: [{department: X}]}\n"))
	f.Add([]byte(mutationFixture + "      - {as: admin, may: {grant: {staff: hanna, permissions: [reports:view]}}, then: [{staff: hanna, can: reports:view}]}\n"))
	f.Add([]byte(mutationFixture + "      - {client_user: olga, cannot: view, kind: invoice, owner: Globex, because: [not owner]}\n"))
	f.Add([]byte(mutationFixture + "      - {due: Technical support, received: \"2026-12-04T15:00:00Z\", is: \"2026-12-07T11:00:00Z\"}\n"))
	f.Add([]byte("tests: [{name: a, expect: [{as: j, may_not: {re_enable: {staff: k}}, error: inherited}]}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := rbactest.ParseSuite(data)
		if err != nil {
			return
		}
		if s.FixtureFile == "" {
			if verr := s.Validate(); verr != nil {
				t.Fatalf("parsed suite does not validate: %v", verr)
			}
		}
	})
}

// FuzzParseFixture: a parsed fixture validates; a refused one is an
// ErrInvalid or a decoding error.
func FuzzParseFixture(f *testing.F) {
	f.Add([]byte("departments:\n  - {name: Billing, permissions: [invoices:view]}\nstaff:\n  - {login: john, departments: [Billing], grants: [invoices:send]}\n"))
	f.Add([]byte(`{"staff":[{"login":"john","full_access":true,"disabled":true}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fx, err := rbactest.ParseFixture(data)
		if err != nil {
			var ve *rbac.ValidationError
			if errors.As(err, &ve) && !errors.Is(err, rbac.ErrInvalid) {
				t.Fatalf("validation error not ErrInvalid: %v", err)
			}
			return
		}
		if verr := fx.Validate(); verr != nil {
			t.Fatalf("parsed fixture does not validate: %v", verr)
		}
	})
}
