package rbac_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
)

// invalidOnly fails unless err is a *ValidationError wrapping ErrInvalid
// whose fields all start with one of the given names.
func invalidOnly(t *testing.T, err error, fields ...string) {
	t.Helper()
	if !errors.Is(err, rbac.ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	var ve *rbac.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) == 0 {
		t.Fatalf("err = %v, want a *ValidationError naming fields", err)
	}
	for _, f := range ve.Fields {
		ok := false
		for _, want := range fields {
			ok = ok || strings.HasPrefix(f.Field, want)
		}
		if !ok || f.Rule == "" {
			t.Fatalf("unexpected field error %q (rule %q), want one of %v", f.Field, f.Rule, fields)
		}
	}
}

// FuzzParsePermission: ParsePermission accepts exactly the
// "function:action" strings it can print back, agrees with ParseFunction
// and ParseAction, and refuses everything else with ErrInvalid.
func FuzzParsePermission(f *testing.F) {
	for _, s := range []string{"invoices:view", "a:b", ":", "invoices:", ":view", "x:y:z", "Invoices:View",
		"inv oices:view", "invoices:view\x00", "invoices,view:x", strings.Repeat("a", 33) + ":b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := rbac.ParsePermission(s)
		if err != nil {
			invalidOnly(t, err, "permission", "function", "action")
			if p != (rbac.Permission{}) {
				t.Fatalf("error with a non-zero permission %v", p)
			}
			return
		}
		if p.String() != s {
			t.Fatalf("ParsePermission(%q).String() = %q", s, p.String())
		}
		if fn, err := rbac.ParseFunction(string(p.Function)); err != nil || fn != p.Function {
			t.Fatalf("function %q: %v", p.Function, err)
		}
		if a, err := rbac.ParseAction(string(p.Action)); err != nil || a != p.Action {
			t.Fatalf("action %q: %v", p.Action, err)
		}
		// Nothing accepted may carry a Casbin separator or leave ASCII.
		if strings.ContainsAny(s, ", \"\n\r\x00") || len(s) > 65 {
			t.Fatalf("accepted %q", s)
		}
	})
}

// FuzzParseStaffID covers ParseStaffID, ParseDepartmentID and
// ParseScheduleID: accepted strings are canonical positive decimals (or
// "0" for a schedule) that print back unchanged.
func FuzzParseStaffID(f *testing.F) {
	for _, s := range []string{"1", "0", "-1", "01", "+1", " 1", "9223372036854775807", "9223372036854775808", "1e3", "", "1\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sid, err1 := rbac.ParseStaffID(s)
		did, err2 := rbac.ParseDepartmentID(s)
		sch, err3 := rbac.ParseScheduleID(s)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("staff and department IDs disagree on %q: %v / %v", s, err1, err2)
		}
		for _, err := range []error{err1, err2, err3} {
			if err != nil && !errors.Is(err, rbac.ErrInvalid) {
				t.Fatalf("%q: %v, want ErrInvalid", s, err)
			}
		}
		if err1 == nil && (sid <= 0 || sid.String() != s || did.String() != s) {
			t.Fatalf("%q parsed as %d / %d", s, sid, did)
		}
		if err3 == nil && (sch < 0 || sch.String() != s) {
			t.Fatalf("%q parsed as schedule %d", s, sch)
		}
		if (err3 == nil) != (err1 == nil || s == "0") {
			t.Fatalf("schedule ID %q: %v, staff ID: %v", s, err3, err1)
		}
	})
}

// FuzzNewDepartmentValidate: a department name in two languages is either
// refused with ErrInvalid naming only "name", or accepted as valid UTF-8
// of at most 128 characters per language, and validating the result again
// changes nothing.
func FuzzNewDepartmentValidate(f *testing.F) {
	f.Add("en", "Billing", "ru", "Бухгалтерия")
	f.Add("ar", "الدعم\u202e", "he", "תמיכה")
	f.Add("en", "x\x00y", "de", "")
	f.Add("en", "a,b\"c\nd", "zh", strings.Repeat("部", 129))
	f.Add("en", "\xff\xfe", "fr", "'; DROP TABLE departments; --")
	f.Fuzz(func(t *testing.T, tag1, name1, tag2, name2 string) {
		name := rbac.LocalizedText{}
		for _, kv := range [][2]string{{tag1, name1}, {tag2, name2}} {
			if tag, err := language.Parse(kv[0]); err == nil {
				name[tag] = kv[1]
			}
		}
		in := rbac.NewDepartment{Name: name}
		if err := in.Validate(); err != nil {
			invalidOnly(t, err, "name")
			return
		}
		if len(in.Name) == 0 {
			t.Fatal("accepted an empty name")
		}
		for tag, s := range in.Name {
			if !utf8.ValidString(s) || s == "" || utf8.RuneCountInString(s) > 128 {
				t.Fatalf("accepted name[%s] = %q", tag, s)
			}
		}
		again := rbac.NewDepartment{Name: in.Name.Clone()}
		if err := again.Validate(); err != nil {
			t.Fatalf("normalized input refused: %v", err)
		}
		for tag, s := range in.Name {
			if again.Name[tag] != s {
				t.Fatalf("normalization not idempotent: %q then %q", s, again.Name[tag])
			}
		}
		up := rbac.DepartmentUpdate{Name: in.Name.Clone()}
		if err := up.Validate(); err != nil {
			t.Fatalf("update refuses what create accepts: %v", err)
		}
	})
}

// FuzzNewStaffValidate: every field at once. Errors wrap ErrInvalid and
// name only the input's fields; accepted input is normalized idempotently
// and StaffUpdate agrees with NewStaff.
func FuzzNewStaffValidate(f *testing.F) {
	f.Add("kate", "en", "Kate Bell", "kate@example.com", "+1 415 555 2671", uint8(0))
	f.Add("Ivan.P", "ru", "Иван Петров", "ivan@ПРИМЕР.рф", "", uint8(1))
	f.Add("a,b", "en", "x\x00", "a@b@c", "++1", uint8(9))
	f.Add("o'brien", "ga", "Seán Ó Briain", "o'brien@example.ie", "+353 1 234 5678", uint8(0))
	f.Add(strings.Repeat("k", 65), "ja", "\u202e山田", "\xff@example.com", "555", uint8(0))
	f.Fuzz(func(t *testing.T, login, tag, name, email, phone string, status uint8) {
		lang, err := language.Parse(tag)
		if err != nil {
			lang = language.English
		}
		in := rbac.NewStaff{Login: login, FullName: rbac.Text(lang, name), Email: email, Phone: phone, Status: rbac.Status(status)}
		err = in.Validate()
		l, e, p, st := login, email, phone, rbac.Status(status)
		up := rbac.StaffUpdate{Login: &l, FullName: rbac.Text(lang, name), Email: &e, Phone: &p, Status: &st}
		uerr := up.Validate()
		if (err == nil) != (uerr == nil) {
			t.Fatalf("NewStaff: %v; StaffUpdate: %v", err, uerr)
		}
		if err != nil {
			invalidOnly(t, err, "login", "full_name", "email", "phone", "status")
			return
		}
		if *up.Login != in.Login || *up.Email != in.Email || *up.Phone != in.Phone || up.FullName[lang] != in.FullName[lang] {
			t.Fatalf("update normalizes differently: %+v vs %+v", up, in)
		}
		for _, s := range []string{in.Login, in.Email, in.Phone, in.FullName[lang]} {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Fatalf("accepted %q", s)
			}
		}
		again := in
		again.FullName = in.FullName.Clone()
		if err := again.Validate(); err != nil {
			t.Fatalf("normalized input refused: %v", err)
		}
		if again.Login != in.Login || again.Email != in.Email || again.Phone != in.Phone || again.FullName[lang] != in.FullName[lang] {
			t.Fatalf("not idempotent: %+v then %+v", in, again)
		}
	})
}
