package rbactest

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
)

// CheckNames reports every name in s that the instance does not know, as
// an *rbac.ValidationError (rule "unknown", messages starting with the
// line): staff logins, departments, permissions (against the instance's
// catalog), client accounts, client users, roles, resource kinds and
// client sections. A name that does not exist fails the file instead of
// making a negative expectation pass: "cannot: reports:veiw" is an error,
// not a green test.
func (in *Instance) CheckNames(s *Suite) error {
	var fe fieldErrors
	checkFixtureCatalog(&fe, &s.Fixture, in.Service.Catalog(), in.clientCatalog(), "fixture.")
	for i, t := range s.Tests {
		for j := range t.Expect {
			in.checkNames(&fe, &t.Expect[j], fmt.Sprintf("tests[%d].expect[%d]", i, j))
		}
	}
	return withLines(fe.err("rbactest suite"), s.pos, "")
}

func (in *Instance) clientCatalog() *clients.Catalog {
	if in.Clients == nil {
		return clients.NewCatalog()
	}
	return in.Clients.Catalog()
}

// checkFixtureCatalog checks the fixture's permissions against the
// catalogs, so an unknown one is reported with its line before anything
// is built.
func checkFixtureCatalog(fe *fieldErrors, f *Fixture, cat *rbac.Catalog, ccat *clients.Catalog, prefix string) {
	perms := func(field string, ps []string) {
		for i, s := range ps {
			if p, err := rbac.ParsePermission(s); err == nil && !cat.Has(p) {
				fe.add(fmt.Sprintf("%s[%d]", field, i), "unknown", "permission %s is not in the catalog", p)
			}
		}
	}
	for i, d := range f.Departments {
		perms(fmt.Sprintf("%sdepartments[%d].permissions", prefix, i), d.Permissions)
	}
	for i, s := range f.Staff {
		perms(fmt.Sprintf("%sstaff[%d].grants", prefix, i), s.Grants)
	}
	for i, c := range f.Clients {
		for j, r := range c.Roles {
			for k, s := range r.Permissions {
				if p, err := clients.ParsePermission(s); err == nil && !ccat.HasSection(p.Section) {
					fe.add(fmt.Sprintf("%sclients[%d].roles[%d].permissions[%d]", prefix, i, j, k), "unknown",
						"client section %q is not in the catalog", p.Section)
				}
			}
		}
	}
}

func (in *Instance) checkNames(fe *fieldErrors, e *Expectation, ef string) {
	staff := func(field, login string) {
		if login != "" && in.StaffID(login) == 0 {
			fe.add(ef+"."+field, "unknown", "no staff member %q", login)
		}
	}
	dept := func(field, name string) {
		if _, ok := in.depts[name]; name != "" && !ok {
			fe.add(ef+"."+field, "unknown", "no department %q", name)
		}
	}
	perm := func(field, s string) {
		if p, err := rbac.ParsePermission(s); err == nil && !in.Service.Catalog().Has(p) {
			fe.add(ef+"."+field, "unknown", "permission %s is not in the catalog", p)
		}
	}
	perms := func(field string, ps []string) {
		for i, p := range ps {
			perm(fmt.Sprintf("%s[%d]", field, i), p)
		}
	}
	switch e.kind() {
	case "staff":
		staff("staff", e.Staff)
		perm(canField(e), e.Can+e.Cannot)
		for k, r := range e.Because {
			if r.Kind == ReasonDepartment {
				dept(fmt.Sprintf("because[%d]", k), r.Name)
			}
		}
	case "explain":
		staff("staff", e.Staff)
		perm("explain", e.Explain)
	case "who_can":
		perm("who_can", e.WhoCan)
		for k, l := range e.Are {
			staff(fmt.Sprintf("are[%d]", k), l)
		}
	case "client_user":
		u := in.ClientUserID(e.ClientUser)
		if u == 0 {
			fe.add(ef+".client_user", "unknown", "no client user %q", e.ClientUser)
		}
		if _, ok := in.clientCatalog().Kind(clients.ResourceKind(e.Kind)); !ok {
			fe.add(ef+".kind", "unknown", "resource kind %q is not in the catalog", e.Kind)
		}
		if in.ClientID(e.Owner) == 0 {
			fe.add(ef+".owner", "unknown", "no client %q", e.Owner)
		}
		for k, r := range e.Because {
			if r.Kind == ReasonRole && !in.userClientHasRole(u, r.Name) {
				fe.add(fmt.Sprintf("%s.because[%d]", ef, k), "unknown", "no role %q in client user %q's account", r.Name, e.ClientUser)
			}
		}
	case "due":
		dept("due", e.Due)
	case "support_departments":
		for k, d := range e.SupportDepartments {
			dept(fmt.Sprintf("support_departments[%d]", k), d)
		}
	case "sign_in":
		staff("sign_in", e.SignIn)
	case "as":
		staff("as", e.As)
		op, of := e.May, "may"
		if op == nil {
			op, of = e.MayNot, "may_not"
		}
		if op == nil {
			return
		}
		if g := op.Grant; g != nil {
			staff(of+".grant.staff", g.Staff)
			perms(of+".grant.permissions", g.Permissions)
		}
		if g := op.Revoke; g != nil {
			staff(of+".revoke.staff", g.Staff)
			perms(of+".revoke.permissions", g.Permissions)
		}
		for _, o := range []struct {
			name string
			m    *MembershipOp
		}{{"add_to_department", op.AddToDepartment}, {"remove_from_department", op.RemoveFromDepartment}} {
			name, m := o.name, o.m
			if m != nil {
				staff(of+"."+name+".staff", m.Staff)
				dept(of+"."+name+".department", m.Department)
			}
		}
		staff(of+".reset_password", op.ResetPassword)
		if op.UpdateStaff != nil {
			staff(of+".update_staff.staff", op.UpdateStaff.Staff)
		}
		for _, o := range []struct {
			name string
			d    *DepartmentPerms
		}{{"enable_permissions", op.EnablePermissions}, {"disable_permissions", op.DisablePermissions}} {
			name, d := o.name, o.d
			if d != nil {
				dept(of+"."+name+".department", d.Department)
				perms(of+"."+name+".permissions", d.Permissions)
			}
		}
		if r := op.ReEnable; r != nil {
			staff(of+".re_enable.staff", r.Staff)
			dept(of+".re_enable.department", r.Department)
		}
		for k := range e.Then {
			in.checkNames(fe, &e.Then[k], fmt.Sprintf("%s.then[%d]", ef, k))
		}
	}
}

func canField(e *Expectation) string {
	if e.Can != "" {
		return "can"
	}
	return "cannot"
}

func (in *Instance) userClientHasRole(u clients.ClientUserID, role string) bool {
	_, ok := in.roles[in.userClient(u)][role]
	return ok
}

// userClient returns the client of user u (0 when unknown).
func (in *Instance) userClient(u clients.ClientUserID) clients.ClientID {
	if in.userOf == nil {
		return 0
	}
	return in.userOf[u]
}

// withLines prefixes each field error of a *rbac.ValidationError with
// where the field is written ("line 8: ..."), ordered by position.
func withLines(err error, pos map[string]string, prefix string) error {
	var ve *rbac.ValidationError
	if err == nil || !errors.As(err, &ve) || len(pos) == 0 {
		return err
	}
	s := &Suite{pos: pos}
	out := &rbac.ValidationError{Op: ve.Op, Fields: make([]rbac.FieldError, len(ve.Fields))}
	for i, f := range ve.Fields {
		if at := s.at(strings.TrimPrefix(f.Field, prefix)); at != "" && !strings.HasPrefix(f.Message, "line ") {
			f.Message = at + ": " + f.Message
		}
		out.Fields[i] = f
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
