package rbac_test

import (
	"errors"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
)

// The fuzz targets' seed corpora are in testdata/fuzz/<FuzzName>; run one
// with e.g. go test ./rbac -run '^$' -fuzz '^FuzzLogin$' -fuzztime 30s.

// onlyFields fails unless err is a *ValidationError whose fields all start
// with prefix.
func onlyFields(t *testing.T, err error, prefix string) {
	t.Helper()
	var ve *rbac.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, rbac.ErrInvalid) {
		t.Fatalf("error %v (%T) is not a *ValidationError", err, err)
	}
	for _, f := range ve.Fields {
		if !strings.HasPrefix(f.Field, prefix) || f.Rule == "" || f.Message == "" {
			t.Fatalf("unexpected field error %+v", f)
		}
	}
}

var loginRE = regexp.MustCompile(`^[a-z][a-z0-9._-]{2,63}$`)

func FuzzLogin(f *testing.F) {
	f.Add("kate")
	f.Fuzz(func(t *testing.T, s string) {
		in := rbac.NewStaff{Login: s, FullName: rbac.Text(language.English, "K")}
		if err := in.Validate(); err != nil {
			onlyFields(t, err, "login")
			return
		}
		if !loginRE.MatchString(in.Login) {
			t.Fatalf("accepted %q as login %q", s, in.Login)
		}
		if !strings.EqualFold(strings.TrimSpace(s), in.Login) {
			t.Fatalf("login %q is not %q lower-cased", in.Login, s)
		}
		again := rbac.NewStaff{Login: in.Login, FullName: in.FullName}
		if err := again.Validate(); err != nil || again.Login != in.Login {
			t.Fatalf("not idempotent: %q -> %q, %v", in.Login, again.Login, err)
		}
	})
}

func FuzzEmail(f *testing.F) {
	f.Add("kate@example.com")
	f.Fuzz(func(t *testing.T, s string) {
		in := rbac.NewStaff{Login: "kate", FullName: rbac.Text(language.English, "K"), Email: s}
		if err := in.Validate(); err != nil {
			onlyFields(t, err, "email")
			return
		}
		if in.Email == "" {
			if strings.TrimSpace(s) != "" {
				t.Fatalf("%q normalized to empty", s)
			}
			return
		}
		a, err := mail.ParseAddress(in.Email)
		if err != nil || a.Name != "" || a.Address != in.Email {
			t.Fatalf("accepted %q as %q, which is not one bare address (%v)", s, in.Email, err)
		}
		domain := in.Email[strings.LastIndexByte(in.Email, '@')+1:]
		if domain != strings.ToLower(domain) {
			t.Fatalf("domain of %q not lower-cased", in.Email)
		}
		again := rbac.NewStaff{Login: "kate", FullName: in.FullName, Email: in.Email}
		if err := again.Validate(); err != nil || again.Email != in.Email {
			t.Fatalf("not idempotent: %q -> %q, %v", in.Email, again.Email, err)
		}
	})
}

func FuzzPhone(f *testing.F) {
	f.Add("+1 415 555 2671")
	f.Fuzz(func(t *testing.T, s string) {
		in := rbac.NewStaff{Login: "kate", FullName: rbac.Text(language.English, "K"), Phone: s}
		if err := in.Validate(); err != nil {
			onlyFields(t, err, "phone")
			return
		}
		if in.Phone == "" {
			return
		}
		if len(in.Phone) < 3 || len(in.Phone) > 16 || in.Phone[0] != '+' || strings.Trim(in.Phone[1:], "0123456789") != "" {
			t.Fatalf("accepted %q as %q, not E.164", s, in.Phone)
		}
		again := rbac.NewStaff{Login: "kate", FullName: in.FullName, Phone: in.Phone}
		if err := again.Validate(); err != nil || again.Phone != in.Phone {
			t.Fatalf("not idempotent: %q -> %q, %v", in.Phone, again.Phone, err)
		}
	})
}

func FuzzFullName(f *testing.F) {
	f.Add("en", "Kate Bell")
	f.Fuzz(func(t *testing.T, tag, name string) {
		lang, err := language.Parse(tag)
		if err != nil {
			return
		}
		in := rbac.NewStaff{Login: "kate", FullName: rbac.LocalizedText{lang: name}}
		if err := in.Validate(); err != nil {
			onlyFields(t, err, "full_name")
			return
		}
		got, ok := in.FullName[lang]
		if !ok || len(in.FullName) != 1 || lang == language.Und {
			t.Fatalf("full name %v from %q/%q", in.FullName, tag, name)
		}
		if got != strings.TrimSpace(got) || got == "" || !utf8.ValidString(got) || utf8.RuneCountInString(got) > 128 {
			t.Fatalf("accepted %q as %q", name, got)
		}
		for _, r := range got {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("control character in accepted %q", got)
			}
		}
	})
}
