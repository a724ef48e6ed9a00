package policy_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/rbac"
)

// FuzzFromLine: a stored line either fails with ErrInvalid or translates to
// a rule whose line is exactly the input, so a rule read from the database
// always means what it says.
func FuzzFromLine(f *testing.F) {
	for _, l := range [][4]string{
		{"p", "staff:1", "invoices", "view"},
		{"p", "dept:2", "support", "reply"},
		{"g", "staff:1", "dept:2", ""},
		{"g2", "staff:1", "full_access", ""},
		{"g2", "dept:3", "disabled", ""},
		{"p", "staff:01", "invoices", "view"},
		{"g", "dept:1", "staff:2", ""},
		{"p", "staff:1,x", "in\"v", "vi\new"},
		{"x", "", "", ""},
	} {
		f.Add(l[0], l[1], l[2], l[3], l[3] != "")
	}
	f.Fuzz(func(t *testing.T, ptype, a, b, c string, three bool) {
		v := []string{a, b}
		if three {
			v = append(v, c)
		}
		r, err := policy.FromLine(ptype, v)
		if err != nil {
			if !errors.Is(err, rbac.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			return
		}
		l, err := policy.ToLine(r)
		if err != nil {
			t.Fatalf("FromLine accepted %s %q as %+v, ToLine refuses it: %v", ptype, v, r, err)
		}
		if l.Ptype != ptype || !slices.Equal(l.Values, v) {
			t.Fatalf("%s %q round-trips to %s %q", ptype, v, l.Ptype, l.Values)
		}
	})
}
