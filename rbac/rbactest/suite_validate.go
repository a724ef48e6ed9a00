package rbactest

import (
	"fmt"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
)

// refusals maps the error names of may_not to the sentinels they match.
var refusals = map[string]error{
	"permission denied": rbac.ErrPermissionDenied,
	"last full access":  rbac.ErrLastFullAccess,
	"inherited":         rbac.ErrInheritedPermission,
	"invalid":           rbac.ErrInvalid,
	"conflict":          rbac.ErrConflict,
	"not found":         rbac.ErrNotFound,
}

// Validate reports every bad field of the suite at once, as an
// *rbac.ValidationError (rbac.ErrInvalid): the fixture's errors, missing
// or duplicate test names, and expectations whose kind is missing or
// ambiguous, that carry another kind's fields, or whose permissions,
// actions, reasons, times or operations are malformed. Messages start
// with the line when the suite was parsed from a file. Whether the names
// exist is checked against the instance the suite runs on (Check).
func (s *Suite) Validate() error {
	var fe fieldErrors
	s.Fixture.validate(&fe, "fixture.")
	if len(s.Tests) == 0 {
		fe.add("tests", "required", "a suite needs at least one test")
	}
	names := map[string]bool{}
	for i, t := range s.Tests {
		tf := fmt.Sprintf("tests[%d]", i)
		if t.Name == "" {
			fe.add(tf+".name", "required", "must not be empty")
		} else if names[t.Name] {
			fe.add(tf+".name", "unique", "test %q is declared twice", t.Name)
		}
		names[t.Name] = true
		if len(t.Expect) == 0 {
			fe.add(tf+".expect", "required", "a test needs at least one expectation")
		}
		for j := range t.Expect {
			t.Expect[j].validate(&fe, fmt.Sprintf("%s.expect[%d]", tf, j))
		}
	}
	return withLines(fe.err("rbactest suite"), s.pos, "")
}

// validate checks one expectation's shape.
func (e *Expectation) validate(fe *fieldErrors, ef string) {
	perm := func(field, v string) {
		if _, err := rbac.ParsePermission(v); err != nil {
			fe.add(ef+"."+field, "format", "%q is not function:action", v)
		}
	}
	only := func(kind string, allowed ...string) {
		set := map[string]bool{
			"staff": e.Staff != "", "can": e.Can != "", "cannot": e.Cannot != "", "because": len(e.Because) > 0,
			"explain": e.Explain != "", "says": e.Says != "", "who_can": e.WhoCan != "", "are": e.Are != nil,
			"client_user": e.ClientUser != "", "kind": e.Kind != "", "owner": e.Owner != "",
			"due": e.Due != "", "received": e.Received != "", "is": e.Is != "",
			"support_departments": e.SupportDepartments != nil, "language": e.Language != "",
			"sign_in": e.SignIn != "", "password": e.Password != "", "refused": e.Refused,
			"as": e.As != "", "may": e.May != nil, "may_not": e.MayNot != nil, "error": e.Error != "", "then": e.Then != nil,
		}
		ok := map[string]bool{}
		for _, a := range allowed {
			ok[a] = true
		}
		for _, f := range sortedKeys(set) {
			if set[f] && !ok[f] {
				fe.add(ef+"."+f, "exclusive", "%s does not go with %s", f, kind)
			}
		}
	}
	canCannot := func() (string, bool, bool) {
		if (e.Can == "") == (e.Cannot == "") {
			fe.add(ef, "exclusive", "needs exactly one of can and cannot")
			return "", false, false
		}
		if e.Can != "" {
			return "can", true, true
		}
		return "cannot", false, true
	}
	reasons := func(allowedKinds, deniedKinds []ReasonKind, allowed bool) {
		want := deniedKinds
		if allowed {
			want = allowedKinds
		}
		for k, r := range e.Because {
			if !containsKind(want, r.Kind) {
				verdict := "a denial"
				if allowed {
					verdict = "an allowed check"
				}
				fe.add(fmt.Sprintf("%s.because[%d]", ef, k), "reason", "%s cannot be because %s: want one of %v", verdict, r, want)
			}
		}
	}
	switch kind := e.kind(); kind {
	case "":
		fe.add(ef, "required", "an expectation starts with staff, who_can, client_user, due, support_departments, sign_in or as")
	case "ambiguous":
		fe.add(ef, "exclusive", "an expectation has exactly one of staff, who_can, client_user, due, support_departments, sign_in and as")
	case "staff":
		only(kind, "staff", "can", "cannot", "because")
		if field, allowed, ok := canCannot(); ok {
			perm(field, e.Can+e.Cannot)
			reasons([]ReasonKind{ReasonFullAccess, ReasonDirect, ReasonDepartment}, []ReasonKind{ReasonDisabled}, allowed)
		}
	case "explain":
		only(kind, "staff", "explain", "says")
		perm("explain", e.Explain)
		if e.Says == "" {
			fe.add(ef+".says", "required", "explain needs the text the explanation contains")
		}
	case "who_can":
		only(kind, "who_can", "are")
		perm("who_can", e.WhoCan)
		if e.Are == nil {
			fe.add(ef+".are", "required", "who_can needs the expected logins (are: [] for nobody)")
		}
	case "client_user":
		only(kind, "client_user", "can", "cannot", "because", "kind", "owner")
		if field, allowed, ok := canCannot(); ok {
			if _, err := clients.ParseAction(e.Can + e.Cannot); err != nil {
				fe.add(ef+"."+field, "format", "%q is not view, add, modify or delete", e.Can+e.Cannot)
			}
			reasons([]ReasonKind{ReasonFirstUser, ReasonRole}, []ReasonKind{ReasonNotOwner, ReasonDisabled, ReasonNoRole}, allowed)
			if !allowed && len(e.Because) > 1 {
				fe.add(ef+".because", "max_items", "a denial has one reason")
			}
		}
		if e.Kind == "" {
			fe.add(ef+".kind", "required", "the resource kind (service, invoice, payment, ticket...)")
		}
		if e.Owner == "" {
			fe.add(ef+".owner", "required", "the client owning the resource")
		}
	case "due":
		only(kind, "due", "received", "is")
		for _, f := range []struct{ name, v string }{{"received", e.Received}, {"is", e.Is}} {
			if _, err := time.Parse(time.RFC3339, f.v); err != nil {
				fe.add(ef+"."+f.name, "format", "%q is not an RFC 3339 time such as 2026-12-01T09:30:00Z", f.v)
			}
		}
	case "support_departments":
		only(kind, "support_departments", "language")
		if e.Language != "" {
			if _, err := language.Parse(e.Language); err != nil {
				fe.add(ef+".language", "format", "%q is not a BCP 47 language tag", e.Language)
			}
		}
	case "sign_in":
		only(kind, "sign_in", "password", "refused")
		if e.Password == "" {
			fe.add(ef+".password", "required", "sign_in needs the password tried")
		}
	case "as":
		only(kind, "as", "may", "may_not", "error", "then")
		switch {
		case (e.May == nil) == (e.MayNot == nil):
			fe.add(ef, "exclusive", "needs exactly one of may and may_not")
		case e.May != nil:
			e.May.validate(fe, ef+".may")
			if e.Error != "" {
				fe.add(ef+".error", "exclusive", "error goes with may_not")
			}
		default:
			e.MayNot.validate(fe, ef+".may_not")
			if e.Then != nil {
				fe.add(ef+".then", "exclusive", "then goes with may: a refusal changes nothing")
			}
		}
		if _, ok := refusals[e.Error]; e.Error != "" && !ok {
			fe.add(ef+".error", "format", "%q is not one of %v", e.Error, sortedKeys(refusals))
		}
		for k := range e.Then {
			t := &e.Then[k]
			tf := fmt.Sprintf("%s.then[%d]", ef, k)
			t.validate(fe, tf)
			if t.kind() == "as" {
				fe.add(tf, "nested", "then holds checks, not administrative operations")
			}
		}
	}
}

// validate checks that exactly one operation is set, with its fields.
func (op *AdminOp) validate(fe *fieldErrors, of string) {
	n := 0
	perms := func(field string, ps []string) {
		if len(ps) == 0 {
			fe.add(field, "required", "at least one permission")
		}
		for i, p := range ps {
			if _, err := rbac.ParsePermission(p); err != nil {
				fe.add(fmt.Sprintf("%s[%d]", field, i), "format", "%q is not function:action", p)
			}
		}
	}
	need := func(field, v string) {
		if v == "" {
			fe.add(field, "required", "must not be empty")
		}
	}
	for _, o := range []struct {
		name string
		g    *GrantOp
	}{{"grant", op.Grant}, {"revoke", op.Revoke}} {
		name, g := o.name, o.g
		if g != nil {
			n++
			need(of+"."+name+".staff", g.Staff)
			perms(of+"."+name+".permissions", g.Permissions)
		}
	}
	for _, o := range []struct {
		name string
		m    *MembershipOp
	}{{"add_to_department", op.AddToDepartment}, {"remove_from_department", op.RemoveFromDepartment}} {
		name, m := o.name, o.m
		if m != nil {
			n++
			need(of+"."+name+".staff", m.Staff)
			need(of+"."+name+".department", m.Department)
		}
	}
	if op.ResetPassword != "" {
		n++
	}
	if op.UpdateStaff != nil {
		n++
		need(of+".update_staff.staff", op.UpdateStaff.Staff)
		u := op.UpdateStaff
		if u.Login == nil && u.Name == nil && u.Email == nil && u.Phone == nil && u.FullAccess == nil && u.Disabled == nil {
			fe.add(of+".update_staff", "required", "name at least one field to change")
		}
	}
	for _, o := range []struct {
		name string
		d    *DepartmentPerms
	}{{"enable_permissions", op.EnablePermissions}, {"disable_permissions", op.DisablePermissions}} {
		name, d := o.name, o.d
		if d != nil {
			n++
			need(of+"."+name+".department", d.Department)
			perms(of+"."+name+".permissions", d.Permissions)
		}
	}
	if op.ReEnable != nil {
		n++
		if (op.ReEnable.Staff == "") == (op.ReEnable.Department == "") {
			fe.add(of+".re_enable", "exclusive", "needs exactly one of staff and department")
		}
	}
	if n != 1 {
		fe.add(of, "exclusive", "needs exactly one operation: grant, revoke, add_to_department, remove_from_department, "+
			"reset_password, update_staff, enable_permissions, disable_permissions or re_enable")
	}
}

func containsKind(ks []ReasonKind, k ReasonKind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}
