package rbac_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

func validNewStaff() rbac.NewStaff {
	return rbac.NewStaff{Login: "kate", FullName: rbac.Text(language.English, "Kate Bell")}
}

// Each field rule with a passing and a failing case.
func TestStaffFieldRules(t *testing.T) {
	name := func(tag language.Tag, s string) rbac.LocalizedText { return rbac.LocalizedText{tag: s} }
	cases := []struct {
		name  string
		edit  func(*rbac.NewStaff)
		want  []string // nil: accepted
		check func(t *testing.T, in rbac.NewStaff)
	}{
		{"login lower-cased", func(in *rbac.NewStaff) { in.Login = "  Kate.Bell_2-x " }, nil,
			func(t *testing.T, in rbac.NewStaff) { wantEqual(t, in.Login, "kate.bell_2-x") }},
		{"login 3 chars", func(in *rbac.NewStaff) { in.Login = "abc" }, nil, nil},
		{"login 64 chars", func(in *rbac.NewStaff) { in.Login = "a" + strings.Repeat("b", 63) }, nil, nil},
		{"login empty", func(in *rbac.NewStaff) { in.Login = " " }, []string{"login/required"}, nil},
		{"login too short", func(in *rbac.NewStaff) { in.Login = "ab" }, []string{"login/min_length"}, nil},
		{"login too long", func(in *rbac.NewStaff) { in.Login = "a" + strings.Repeat("b", 64) }, []string{"login/max_length"}, nil},
		{"login starts with digit", func(in *rbac.NewStaff) { in.Login = "1kate" }, []string{"login/format"}, nil},
		{"login space", func(in *rbac.NewStaff) { in.Login = "kate bell" }, []string{"login/format"}, nil},
		{"login non-ascii", func(in *rbac.NewStaff) { in.Login = "катя" }, []string{"login/format"}, nil},
		{"login kelvin sign", func(in *rbac.NewStaff) { in.Login = "\u212Aate" }, []string{"login/format"}, nil},

		{"email domain lower-cased", func(in *rbac.NewStaff) { in.Email = " Kate.Bell@Example.COM " }, nil,
			func(t *testing.T, in rbac.NewStaff) { wantEqual(t, in.Email, "Kate.Bell@example.com") }},
		{"email empty allowed", func(in *rbac.NewStaff) { in.Email = "" }, nil, nil},
		{"email display name", func(in *rbac.NewStaff) { in.Email = "Kate <kate@example.com>" }, []string{"email/format"}, nil},
		{"email two addresses", func(in *rbac.NewStaff) { in.Email = "a@example.com, b@example.com" }, []string{"email/format"}, nil},
		{"email no at", func(in *rbac.NewStaff) { in.Email = "kate.example.com" }, []string{"email/format"}, nil},
		{"email no dot in domain", func(in *rbac.NewStaff) { in.Email = "kate@localhost" }, []string{"email/format"}, nil},

		{"phone E.164", func(in *rbac.NewStaff) { in.Phone = "+1 (415) 555-2671" }, nil,
			func(t *testing.T, in rbac.NewStaff) { wantEqual(t, in.Phone, "+14155552671") }},
		{"phone russian", func(in *rbac.NewStaff) { in.Phone = "+7 912 345-67-89" }, nil,
			func(t *testing.T, in rbac.NewStaff) { wantEqual(t, in.Phone, "+79123456789") }},
		{"phone national without region", func(in *rbac.NewStaff) { in.Phone = "(415) 555-2671" }, []string{"phone/format"}, nil},
		{"phone letters", func(in *rbac.NewStaff) { in.Phone = "+1 call me" }, []string{"phone/format"}, nil},
		{"phone invalid number", func(in *rbac.NewStaff) { in.Phone = "+1 000 000 0000" }, []string{"phone/invalid"}, nil},
		{"phone over 15 digits", func(in *rbac.NewStaff) { in.Phone = "+49 20 1000000( 0A aA0" }, []string{"phone/invalid"}, nil},
		{"phone too long", func(in *rbac.NewStaff) { in.Phone = "+" + strings.Repeat("1", 70) }, []string{"phone/max_length"}, nil},

		{"name trimmed", func(in *rbac.NewStaff) { in.FullName = name(language.Russian, "  Катя Белл ") }, nil,
			func(t *testing.T, in rbac.NewStaff) {
				wantEqual(t, in.FullName, name(language.Russian, "Катя Белл"))
			}},
		{"name two languages", func(in *rbac.NewStaff) {
			in.FullName = rbac.LocalizedText{language.English: "Kate", language.MustParse("pt-BR"): "Catarina"}
		}, nil, nil},
		{"name missing", func(in *rbac.NewStaff) { in.FullName = nil }, []string{"full_name/required"}, nil},
		{"name und", func(in *rbac.NewStaff) { in.FullName = name(language.Und, "Kate") }, []string{"full_name[und]/language"}, nil},
		{"name blank", func(in *rbac.NewStaff) { in.FullName = name(language.English, "  ") }, []string{"full_name[en]/required"}, nil},
		{"name too long", func(in *rbac.NewStaff) { in.FullName = name(language.English, strings.Repeat("k", 129)) },
			[]string{"full_name[en]/max_length"}, nil},
		{"name control character", func(in *rbac.NewStaff) { in.FullName = name(language.English, "Kate\x00Bell") },
			[]string{"full_name[en]/characters"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := validNewStaff()
			c.edit(&in)
			err := in.Validate()
			if c.want == nil {
				mustNoErr(t, err)
				if c.check != nil {
					c.check(t, in)
				}
				return
			}
			wantEqual(t, fieldRules(t, err), c.want)
		})
	}
}

func TestPhoneDefaultRegion(t *testing.T) {
	e := newAccountEnv(t, testdb.SQLite, rbac.AccountOptions{PhoneRegion: "us"})
	in := validNewStaff()
	in.Phone = "(415) 555-2671"
	st, err := e.svc.CreateStaff(e.ctx, e.admin, in)
	mustNoErr(t, err)
	wantEqual(t, st.Phone, "+14155552671")
	phone := "8 (912) 345-67-89" // a Russian national number is not a US one
	_, err = e.svc.UpdateStaff(e.ctx, e.admin, st.ID, rbac.StaffUpdate{Phone: &phone})
	wantEqual(t, fieldRules(t, err), []string{"phone/invalid"})
}

// Every bad field comes back in one error.
func TestStaffAllBadFieldsTogether(t *testing.T) {
	e := newAccountEnv(t, testdb.SQLite, rbac.AccountOptions{})
	_, err := e.svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{
		Login:       "9lives",
		FullName:    rbac.LocalizedText{language.English: " ", language.Und: "x"},
		Email:       "Nine <nine@example.com>",
		Phone:       "+1 000",
		Departments: []rbac.DepartmentID{0},
		Status:      7,
		Password:    "password",
	})
	wantEqual(t, fieldRules(t, err), []string{
		"login/format", "full_name[en]/required", "full_name[und]/language", "email/format", "phone/invalid",
		"departments/format", "status/enum", "password/min_length", "password/common",
	})
	var ve *rbac.ValidationError
	mustEqual(t, errors.As(err, &ve), true)
	wantEqual(t, ve.Op, "create staff")
	all, err := e.svc.StaffMembers(e.ctx)
	mustNoErr(t, err)
	wantEqual(t, len(all), 1, "nothing was created")
}

func TestCreateStaffPassword(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newAccountEnv(t, b, rbac.AccountOptions{})
		in := validNewStaff()
		in.Email = "kate.bell@example.com"
		in.Password = "kate.bell-is-here-99"
		_, err := e.svc.CreateStaff(e.ctx, e.admin, in)
		wantEqual(t, fieldRules(t, err), []string{"password/contains_login", "password/contains_email", "password/contains_name"})

		in.Password = goodPW
		st, err := e.svc.CreateStaff(e.ctx, e.admin, in)
		mustNoErr(t, err)
		read, err := e.svc.StaffMember(e.ctx, st.ID)
		mustNoErr(t, err)
		wantEqual(t, read.UpdatedAt, st.UpdatedAt)
		h := storedPasswordHash(t, e, "kate")
		wantTrue(t, strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$"), "stored %q", h)
		wantTrue(t, !strings.Contains(h, goodPW), "plain password stored")
		chs, err := e.st.Changes(e.ctx, rbac.ChangeQuery{Op: rbac.OpStaffCreate})
		mustNoErr(t, err)
		mustEqual(t, len(chs), 1)
		wantTrue(t, !strings.Contains(string(chs[0].After), goodPW) && !strings.Contains(string(chs[0].After), "argon2"),
			"change log leaks the password: %s", chs[0].After)
	})
}

// Logins and e-mails are unique among staff (e-mails regardless of case);
// both clashes are reported at once, as ErrConflict and as field errors.
func TestStaffUnique(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newAccountEnv(t, b, rbac.AccountOptions{})
		in := validNewStaff()
		in.Email = "kate@example.com"
		kate, err := e.svc.CreateStaff(e.ctx, e.admin, in)
		mustNoErr(t, err)

		dup := validNewStaff()
		dup.Login = "KATE"
		dup.Email = "KATE@Example.com"
		_, err = e.svc.CreateStaff(e.ctx, e.admin, dup)
		wantErrIs(t, err, rbac.ErrConflict)
		wantEqual(t, fieldRules(t, err), []string{"login/unique", "email/unique"})

		dup.Login = "kate2"
		_, err = e.svc.CreateStaff(e.ctx, e.admin, dup)
		wantErrIs(t, err, rbac.ErrConflict)
		wantEqual(t, fieldRules(t, err), []string{"email/unique"})

		bob := e.person("bob", "")
		email := "Kate@EXAMPLE.com"
		_, err = e.svc.UpdateStaff(e.ctx, e.admin, bob.ID, rbac.StaffUpdate{Email: &email})
		wantEqual(t, fieldRules(t, err), []string{"email/unique"})
		// Kate may change the case of her own address.
		st, err := e.svc.UpdateStaff(e.ctx, e.admin, kate.ID, rbac.StaffUpdate{Email: &email})
		mustNoErr(t, err)
		wantEqual(t, st.Email, "Kate@example.com")
	})
}

func ExampleNewStaff_Validate() {
	in := rbac.NewStaff{
		Login:    "Kate.Bell",
		FullName: rbac.Text(language.English, " Kate Bell "),
		Email:    "Kate.Bell@Example.COM",
		Phone:    "+1 (415) 555-2671",
	}
	fmt.Println(in.Validate(), in.Login, in.Email, in.Phone, in.FullName[language.English])

	bad := rbac.NewStaff{Login: "1kate", Email: "Kate <kate@example.com>", Phone: "555"}
	fmt.Println(bad.Validate())
	// Output:
	// <nil> kate.bell Kate.Bell@example.com +14155552671 Kate Bell
	// create staff: invalid input: login: must start with a letter a-z (format); full_name: at least one language is required (required); email: must be a single address like name@example.com, without a display name (format); phone: must be in international format, starting with '+' and the country code (format)
}
