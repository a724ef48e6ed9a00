package clients_test

import (
	"errors"
	"testing"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
)

// FuzzParsePermission: a parsed permission prints back to its input, and
// every rejection is an *rbac.ValidationError.
func FuzzParsePermission(f *testing.F) {
	for _, s := range []string{"services:view", "finance:modify", "x:delete", ":view", "services:", "Services:view", "a:suspend", "", "s:v:w"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := clients.ParsePermission(s)
		if err != nil {
			var ve *rbac.ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) == 0 {
				t.Fatalf("ParsePermission(%q) error %v is not a ValidationError", s, err)
			}
			return
		}
		if p.String() != s {
			t.Fatalf("ParsePermission(%q).String() = %q", s, p)
		}
	})
}

// FuzzNewUserValidate: validation never panics, reports every problem as
// a field error, and is idempotent on what it accepts.
func FuzzNewUserValidate(f *testing.F) {
	f.Add("bob", "Bob", "bob@example.com", int64(1))
	f.Add("  BOB.x ", " Bob ", "bob@EXAMPLE.com", int64(0))
	f.Add("1x", "", "nope", int64(-1))
	f.Fuzz(func(t *testing.T, login, name, email string, role int64) {
		in := clients.NewUser{Login: login, Name: name, Email: email, Roles: []clients.RoleID{clients.RoleID(role)}}
		err := in.Validate()
		if err != nil {
			var ve *rbac.ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) == 0 || !errors.Is(err, rbac.ErrInvalid) {
				t.Fatalf("Validate error %v is not a ValidationError", err)
			}
			return
		}
		again := in
		if err := again.Validate(); err != nil || again.Login != in.Login || again.Name != in.Name || again.Email != in.Email {
			t.Fatalf("Validate not idempotent: %+v then %+v, %v", in, again, err)
		}
	})
}

// FuzzParseIDs: IDs print back to their input.
func FuzzParseIDs(f *testing.F) {
	for _, s := range []string{"1", "42", "0", "-1", "01", "9223372036854775807", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if id, err := clients.ParseClientID(s); err == nil && id.String() != s {
			t.Fatalf("ParseClientID(%q) = %s", s, id)
		} else if err != nil && !errors.Is(err, rbac.ErrInvalid) {
			t.Fatalf("ParseClientID(%q) error %v", s, err)
		}
	})
}
