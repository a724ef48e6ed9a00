package rbac_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/billingrbac/billingrbac/rbac"
)

// FuzzSignInPolicyValidate: any list of prefixes parsed from text is
// either refused with ErrInvalid naming a field, or accepted; Validate
// never panics.
func FuzzSignInPolicyValidate(f *testing.F) {
	f.Add("203.0.113.0/24", "2001:db8::/32", true)
	f.Add("::ffff:10.0.0.1/104", "", false)
	f.Add("", "not a prefix", false)
	f.Fuzz(func(t *testing.T, a, b string, req bool) {
		p := rbac.SignInPolicy{RequireSecondFactor: req}
		for _, s := range []string{a, b} {
			n, _ := netip.ParsePrefix(s) // invalid text: the zero Prefix, refused
			p.Networks = append(p.Networks, n)
		}
		err := p.Validate()
		if err == nil {
			return
		}
		var ve *rbac.ValidationError
		if !errors.Is(err, rbac.ErrInvalid) || !errors.As(err, &ve) || len(ve.Fields) == 0 {
			t.Fatalf("Validate: %v", err)
		}
	})
}

// FuzzDutyConflictValidate: a conflict from any two permission texts and
// department IDs is refused with named fields or accepted, never panics.
func FuzzDutyConflictValidate(f *testing.F) {
	f.Add("payments:add", "payments:approve", int64(0), int64(0), "why")
	f.Add("", "", int64(1), int64(2), "")
	f.Add("x", "x", int64(-1), int64(-1), "")
	f.Fuzz(func(t *testing.T, a, b string, da, db int64, why string) {
		pa, _ := rbac.ParsePermission(a)
		pb, _ := rbac.ParsePermission(b)
		c := rbac.DutyConflict{Permissions: [2]rbac.Permission{pa, pb},
			Departments: [2]rbac.DepartmentID{rbac.DepartmentID(da), rbac.DepartmentID(db)}, Why: why}
		err := c.Validate()
		if err == nil {
			if c.IsDepartments() == (c.Permissions != [2]rbac.Permission{}) {
				t.Fatalf("accepted %+v with both or neither pair", c)
			}
			return
		}
		var ve *rbac.ValidationError
		if !errors.Is(err, rbac.ErrInvalid) || !errors.As(err, &ve) || len(ve.Fields) == 0 {
			t.Fatalf("Validate: %v", err)
		}
	})
}
