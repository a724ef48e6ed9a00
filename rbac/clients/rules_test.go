package clients_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
)

func TestOwnershipAndRoles(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		a, z := e.client("alice"), e.client("zed")
		owner := clients.ByUser(a.FirstUser)
		viewer := e.role(owner, a.ID, "Viewer", clients.Perm(clients.SectionServices, clients.View))
		payer := e.role(owner, a.ID, "Payer", clients.Perm(clients.SectionFinance, clients.View), clients.Perm(clients.SectionFinance, clients.Add))
		empty := e.role(owner, a.ID, "Empty")
		bob := e.user(owner, a.ID, "bob", viewer.ID, payer.ID)
		eve := e.user(owner, a.ID, "eve", empty.ID)

		if len(empty.Permissions) != 0 {
			t.Fatalf("new role holds %v, want nothing", empty.Permissions)
		}
		inv := clients.Resource{Kind: clients.KindInvoice, ID: 7, Owner: a.ID}
		cases := []struct {
			name   string
			user   clients.ClientUserID
			act    clients.Action
			res    clients.Resource
			want   bool
			reason clients.Reason
			roles  []clients.RoleID
		}{
			{"first user, own service", a.FirstUser, clients.Delete, svcOf(a.ID), true, clients.AllowedFirstUser, nil},
			{"first user, other client's service", a.FirstUser, clients.View, svcOf(z.ID), false, clients.DeniedNotOwner, nil},
			{"role view services", bob.ID, clients.View, svcOf(a.ID), true, clients.AllowedByRole, []clients.RoleID{viewer.ID}},
			{"role lacks modify", bob.ID, clients.Modify, svcOf(a.ID), false, clients.DeniedNoRole, nil},
			{"union of roles: finance add", bob.ID, clients.Add, inv, true, clients.AllowedByRole, []clients.RoleID{payer.ID}},
			{"payment in finance section", bob.ID, clients.View, clients.Resource{Kind: clients.KindPayment, ID: 1, Owner: a.ID}, true, clients.AllowedByRole, []clients.RoleID{payer.ID}},
			{"role user, other client's service", bob.ID, clients.View, svcOf(z.ID), false, clients.DeniedNotOwner, nil},
			{"empty role", eve.ID, clients.View, svcOf(a.ID), false, clients.DeniedNoRole, nil},
			{"unknown kind", bob.ID, clients.View, clients.Resource{Kind: "domain", Owner: a.ID}, false, clients.DeniedUnknownKind, nil},
			{"unknown user", 9999, clients.View, svcOf(a.ID), false, clients.DeniedUnknownUser, nil},
			{"no owner", a.FirstUser, clients.View, clients.Resource{Kind: clients.KindService}, false, clients.DeniedNotOwner, nil},
			{"invalid action", a.FirstUser, 0, svcOf(a.ID), false, clients.DeniedInvalidAction, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				d := e.svc.Explain(c.user, c.act, c.res)
				if d.Allowed != c.want || d.Reason != c.reason || !slices.Equal(d.Roles, c.roles) {
					t.Fatalf("Explain = %+v (%s), want allowed=%v reason=%v roles=%v", d, d, c.want, c.reason, c.roles)
				}
				if got := e.svc.Can(c.user, c.act, c.res); got != c.want {
					t.Fatalf("Can = %v, want %v", got, c.want)
				}
				err := e.svc.Check(c.user, c.act, c.res)
				if c.want != (err == nil) {
					t.Fatalf("Check = %v, want allowed=%v", err, c.want)
				}
				if err != nil && !errors.Is(err, rbac.ErrPermissionDenied) {
					t.Fatalf("Check error %v does not match ErrPermissionDenied", err)
				}
				if err != nil && errors.Is(err, clients.ErrCrossClient) != (c.reason == clients.DeniedNotOwner) {
					t.Fatalf("Check error %v: ErrCrossClient match wrong", err)
				}
			})
		}
		want := []clients.Permission{
			clients.Perm(clients.SectionServices, clients.View),
			clients.Perm(clients.SectionFinance, clients.View),
			clients.Perm(clients.SectionFinance, clients.Add),
		}
		if got := e.svc.Permissions(bob.ID); !slices.Equal(got, want) {
			t.Fatalf("Permissions(bob) = %v, want %v", got, want)
		}
		if got := e.svc.Permissions(a.FirstUser); len(got) != 12 {
			t.Fatalf("first user holds %d permissions, want all 12", len(got))
		}
		d := e.svc.Explain(bob.ID, clients.View, svcOf(a.ID))
		if got, w := d.String(), "client user 3 (client 1) view on service 101 of client 1: allowed by role(s) 1 holding services:view"; got != w {
			t.Fatalf("String = %q, want %q", got, w)
		}
	})
}

func TestFirstUserIsProtected(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		a := e.client("alice")
		owner := clients.ByUser(a.FirstUser)
		r := e.role(owner, a.ID, "Viewer", clients.Perm(clients.SectionServices, clients.View))
		off := rbac.StatusDisabled
		name := "New Name"
		refusals := []struct {
			name string
			err  error
		}{
			{"client deletes first user", e.svc.DeleteUser(e.ctx, owner, a.FirstUser)},
			{"staff deletes first user", e.svc.DeleteUser(e.ctx, e.admin, a.FirstUser)},
			{"client gives first user a role", e.svc.AssignRole(e.ctx, owner, a.FirstUser, r.ID)},
			{"client disables first user", errOf(e.svc.UpdateUser(e.ctx, owner, a.FirstUser, clients.UserUpdate{Status: &off}))},
			{"client renames first user", errOf(e.svc.UpdateUser(e.ctx, owner, a.FirstUser, clients.UserUpdate{Name: &name}))},
		}
		for _, c := range refusals {
			if !errors.Is(c.err, clients.ErrFirstUser) || !errors.Is(c.err, rbac.ErrPermissionDenied) {
				t.Errorf("%s: err = %v, want ErrFirstUser and ErrPermissionDenied", c.name, c.err)
			}
		}
		if !e.svc.Can(a.FirstUser, clients.Delete, svcOf(a.ID)) {
			t.Fatal("first user lost rights")
		}
		u, err := e.svc.User(e.ctx, a.FirstUser)
		if err != nil || u.Name != "Owner alice" || !u.First || u.Status != rbac.StatusActive || len(u.Roles) != 0 {
			t.Fatalf("first user after refusals = %+v, %v", u, err)
		}
		// The provider may rename the first user.
		u, err = e.svc.UpdateUser(e.ctx, e.admin, a.FirstUser, clients.UserUpdate{Name: &name})
		if err != nil || u.Name != name {
			t.Fatalf("staff rename = %+v, %v", u, err)
		}
	})
}

func errOf[T any](_ T, err error) error { return err }

func TestCrossClientRefused(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		a, z := e.client("alice"), e.client("zed")
		ownerA, ownerZ := clients.ByUser(a.FirstUser), clients.ByUser(z.FirstUser)
		roleZ := e.role(ownerZ, z.ID, "Z admin", clients.Perm(clients.SectionServices, clients.Modify))
		roleA := e.role(ownerA, a.ID, "A viewer")
		bob := e.user(ownerA, a.ID, "bob")
		v := e.svc.Version()
		errs := map[string]error{
			"staff assigns role of another client": e.svc.AssignRole(e.ctx, e.admin, bob.ID, roleZ.ID),
			"owner assigns role of another client": e.svc.AssignRole(e.ctx, ownerA, bob.ID, roleZ.ID),
			"create user with foreign role":        errOf(e.svc.CreateUser(e.ctx, ownerA, a.ID, clients.NewUser{Login: "mallory", Name: "M", Roles: []clients.RoleID{roleZ.ID}})),
			"owner of Z assigns in A":              e.svc.AssignRole(e.ctx, ownerZ, bob.ID, roleA.ID),
			"owner of Z creates user in A":         errOf(e.svc.CreateUser(e.ctx, ownerZ, a.ID, clients.NewUser{Login: "mallory", Name: "M"})),
			"owner of Z creates role in A":         errOf(e.svc.CreateRole(e.ctx, ownerZ, a.ID, clients.NewRole{Name: "X"})),
			"owner of Z deletes user of A":         e.svc.DeleteUser(e.ctx, ownerZ, bob.ID),
			"owner of A edits role of Z":           errOf(e.svc.UpdateRole(e.ctx, ownerA, roleZ.ID, clients.RoleUpdate{Permissions: &[]clients.Permission{}})),
		}
		for name, err := range errs {
			if !errors.Is(err, clients.ErrCrossClient) || !errors.Is(err, rbac.ErrPermissionDenied) {
				t.Errorf("%s: err = %v, want ErrCrossClient", name, err)
			}
		}
		if e.svc.Version() != v {
			t.Fatalf("refused changes moved the version from %d to %d", v, e.svc.Version())
		}
		u, _ := e.svc.User(e.ctx, bob.ID)
		if len(u.Roles) != 0 || e.svc.Can(bob.ID, clients.Modify, svcOf(z.ID)) {
			t.Fatalf("bob after refusals: %+v", u)
		}
		if _, err := e.svc.User(e.ctx, 5); !errors.Is(err, rbac.ErrNotFound) {
			t.Fatalf("mallory exists: %v", err)
		}
		if n := testdb.Count(t, e.st.DB(), "billingrbac_client_users"); n != 3 {
			t.Fatalf("client_users = %d, want 3", n)
		}
	})
}

func TestAdministration(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		sales := e.staffIn("sam", e.boot.Sales.ID)     // clients:add, clients:edit
		support := e.staffIn("tia", e.boot.Support.ID) // clients:edit, no clients:add
		nobody := e.staffIn("nob")
		newClient := clients.NewClient{Name: "Acme", FirstUser: clients.NewUser{Login: "acme", Name: "Acme Owner"}}

		_, err := e.svc.CreateClient(e.ctx, clients.ByStaff(support), newClient)
		var de *clients.DeniedError
		if !errors.As(err, &de) || de.Missing != rbac.Perm(rbac.FuncClients, rbac.ActAdd) {
			t.Fatalf("support creates client: %v, want denied missing clients:add", err)
		}
		// A new account's first user holds every client right, and its
		// creator chose its login and e-mail: the default Sales department
		// (no invoices, no support, no deletes) may not create one.
		_, err = e.svc.CreateClient(e.ctx, clients.ByStaff(sales), newClient)
		if !errors.As(err, &de) || de.Missing != rbac.Perm(rbac.FuncServices, rbac.ActDelete) ||
			de.Right != clients.Perm(clients.SectionServices, clients.Delete) || de.Target == 0 {
			t.Fatalf("sales creates client: %v (%+v), want denied missing services:delete", err, de)
		}
		// Holding every staff counterpart of the client rights, it may.
		var counterparts []rbac.Permission
		for _, p := range e.svc.Catalog().Permissions() {
			counterparts = append(counterparts, e.svc.StaffCounterparts(p)...)
		}
		if err := e.staff.Grant(e.ctx, e.boot.Admin.ID, sales, counterparts...); err != nil {
			t.Fatal(err)
		}
		c, err := e.svc.CreateClient(e.ctx, clients.ByStaff(sales), newClient)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreateClient(e.ctx, clients.ByUser(c.FirstUser), newClient); !errors.Is(err, rbac.ErrPermissionDenied) {
			t.Fatalf("client creates client: %v", err)
		}
		owner := clients.ByUser(c.FirstUser)
		bob := e.user(owner, c.ID, "bob")
		// A user who is not the first user administers nothing.
		if _, err := e.svc.CreateRole(e.ctx, clients.ByUser(bob.ID), c.ID, clients.NewRole{Name: "R"}); !errors.Is(err, rbac.ErrPermissionDenied) {
			t.Fatalf("bob creates role: %v", err)
		}
		// Staff with clients:edit administer inside the account.
		r, err := e.svc.CreateRole(e.ctx, clients.ByStaff(support), c.ID, clients.NewRole{Name: "Support-made"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.AssignRole(e.ctx, clients.ByStaff(nobody), bob.ID, r.ID); !errors.Is(err, rbac.ErrPermissionDenied) {
			t.Fatalf("staff without clients:edit assigns: %v", err)
		}
		if _, err := e.svc.CreateRole(e.ctx, owner, c.ID, clients.NewRole{Name: "Support-made"}); !errors.Is(err, rbac.ErrConflict) {
			t.Fatalf("duplicate role name: %v", err)
		}
		if _, err := e.svc.CreateUser(e.ctx, owner, c.ID, clients.NewUser{Login: "BOB", Name: "x"}); !errors.Is(err, rbac.ErrConflict) {
			t.Fatalf("duplicate login: %v", err)
		}
		// Disabling the client denies all its users.
		off, on := rbac.StatusDisabled, rbac.StatusActive
		if _, err := e.svc.UpdateClient(e.ctx, owner, c.ID, clients.ClientUpdate{Status: &off}); !errors.Is(err, rbac.ErrPermissionDenied) {
			t.Fatalf("client disables itself: %v", err)
		}
		got, err := e.svc.UpdateClient(e.ctx, clients.ByStaff(support), c.ID, clients.ClientUpdate{Status: &off})
		if err != nil || got.Status != rbac.StatusDisabled {
			t.Fatalf("disable: %+v, %v", got, err)
		}
		if d := e.svc.Explain(c.FirstUser, clients.View, svcOf(c.ID)); d.Allowed || d.Reason != clients.DeniedDisabled {
			t.Fatalf("disabled client's first user: %s", d)
		}
		if _, err := e.svc.CreateRole(e.ctx, owner, c.ID, clients.NewRole{Name: "Later"}); !errors.Is(err, rbac.ErrPermissionDenied) {
			t.Fatalf("disabled client's owner administers: %v", err)
		}
		// Switching the account back on gives its users their rights back
		// and their sign-in: support (no services:add, no invoices) may not
		// do it for an account whose first user holds every right; sales,
		// holding every counterpart, may.
		_, err = e.svc.UpdateClient(e.ctx, clients.ByStaff(support), c.ID, clients.ClientUpdate{Status: &on})
		if !errors.As(err, &de) || de.Target != c.FirstUser || de.Missing != rbac.Perm(rbac.FuncServices, rbac.ActAdd) {
			t.Fatalf("support re-enables the client: %v, want denied naming the first user and services:add", err)
		}
		if _, err := e.svc.UpdateClient(e.ctx, clients.ByStaff(sales), c.ID, clients.ClientUpdate{Status: &on}); err != nil {
			t.Fatal(err)
		}
		if !e.svc.Can(c.FirstUser, clients.View, svcOf(c.ID)) {
			t.Fatal("re-enabled client's first user denied")
		}
		// Disabling a user.
		if _, err := e.svc.UpdateUser(e.ctx, owner, bob.ID, clients.UserUpdate{Status: &off}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.AssignRole(e.ctx, owner, bob.ID, r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.UpdateRole(e.ctx, owner, r.ID, clients.RoleUpdate{Permissions: &[]clients.Permission{clients.Perm(clients.SectionSupport, clients.Add)}}); err != nil {
			t.Fatal(err)
		}
		ticket := clients.Resource{Kind: clients.KindTicket, ID: 1, Owner: c.ID}
		if d := e.svc.Explain(bob.ID, clients.Add, ticket); d.Reason != clients.DeniedDisabled {
			t.Fatalf("disabled bob: %s", d)
		}
		if _, err := e.svc.UpdateUser(e.ctx, owner, bob.ID, clients.UserUpdate{Status: &on}); err != nil {
			t.Fatal(err)
		}
		if !e.svc.Can(bob.ID, clients.Add, ticket) {
			t.Fatal("bob denied after enabling")
		}
		// Deleting the role takes its rights; deleting bob removes him.
		if err := e.svc.DeleteRole(e.ctx, owner, r.ID); err != nil {
			t.Fatal(err)
		}
		if e.svc.Can(bob.ID, clients.Add, ticket) {
			t.Fatal("bob keeps a deleted role's right")
		}
		if err := e.svc.DeleteUser(e.ctx, owner, bob.ID); err != nil {
			t.Fatal(err)
		}
		if d := e.svc.Explain(bob.ID, clients.View, svcOf(c.ID)); d.Reason != clients.DeniedUnknownUser {
			t.Fatalf("deleted bob: %s", d)
		}
		if n := testdb.Count(t, e.st.DB().Where("ptype IN ?", []string{"p2", "g3", "g4"}), "billingrbac_casbin_rule"); n != 1 {
			t.Fatalf("client policy rows = %d, want 1 (the first user)", n)
		}
	})
}

func TestValidation(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	_, err := e.svc.CreateClient(e.ctx, e.admin, clients.NewClient{Name: " ", Email: "nope", Status: 7,
		FirstUser: clients.NewUser{Login: "1x", Name: "", Roles: []clients.RoleID{1}}})
	var ve *rbac.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, rbac.ErrInvalid) {
		t.Fatalf("err = %v, want *rbac.ValidationError", err)
	}
	for _, f := range [][2]string{{"name", "required"}, {"email", "format"}, {"status", "enum"},
		{"first_user.login", "format"}, {"first_user.name", "required"}, {"first_user.roles", "empty"}} {
		if !ve.Has(f[0], f[1]) {
			t.Errorf("missing %s/%s in %v", f[0], f[1], ve)
		}
	}
	c := e.client("alice")
	r := e.role(clients.ByUser(c.FirstUser), c.ID, "R")
	bad := []clients.Permission{{Section: "nowhere", Action: clients.View}, {Section: clients.SectionFinance, Action: 9}}
	before := e.svc.Version()
	_, err = e.svc.UpdateRole(e.ctx, e.admin, r.ID, clients.RoleUpdate{Permissions: &bad})
	if !errors.As(err, &ve) || !ve.Has("permissions[0]", "unknown") || !ve.Has("permissions[1]", "enum") {
		t.Fatalf("bad permissions: %v", err)
	}
	if v := e.svc.Version(); v != before {
		t.Fatalf("version = %d after invalid inputs, want %d", v, before)
	}
}

func TestCatalog(t *testing.T) {
	c := clients.NewCatalog()
	if err := c.RegisterSection("domains", "Domains"); err != nil {
		t.Fatal(err)
	}
	if err := c.RegisterKind("domain", "domains", rbac.FuncServices); err != nil {
		t.Fatal(err)
	}
	if ki, ok := c.Kind("domain"); !ok || ki.Section != "domains" || ki.StaffFunction != rbac.FuncServices {
		t.Fatalf("Kind(domain) = %+v, %v", ki, ok)
	}
	if err := c.RegisterKind("domain", clients.SectionServices, rbac.FuncServices); !errors.Is(err, rbac.ErrConflict) {
		t.Fatalf("moving a kind: %v, want ErrConflict", err)
	}
	var ve *rbac.ValidationError
	if err := c.RegisterKind("Bad Kind", "nowhere", "Bad"); !errors.As(err, &ve) ||
		!ve.Has("kind", "format") || !ve.Has("section", "unknown") || !ve.Has("staff_function", "format") {
		t.Fatalf("bad kind: %v", err)
	}
	if n := len(c.Permissions()); n != 16 {
		t.Fatalf("%d permissions, want 4 sections x 4 actions", n)
	}
}

// TestSectionRegisteredLater: the first user holds sections registered
// after its account was created; roles hold them once switched on.
func TestSectionRegisteredLater(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	a := e.client("alice")
	if err := e.svc.Catalog().RegisterSection("domains", "Domains"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Catalog().RegisterKind("domain", "domains", rbac.FuncServices); err != nil {
		t.Fatal(err)
	}
	dom := clients.Resource{Kind: "domain", ID: 1, Owner: a.ID}
	if !e.svc.Can(a.FirstUser, clients.Delete, dom) {
		t.Fatal("first user lacks a section registered later")
	}
	owner := clients.ByUser(a.FirstUser)
	r := e.role(owner, a.ID, "Domains", clients.Perm("domains", clients.Modify))
	bob := e.user(owner, a.ID, "bob", r.ID)
	if !e.svc.Can(bob.ID, clients.Modify, dom) || e.svc.Can(bob.ID, clients.View, dom) {
		t.Fatal("domains role decided wrong")
	}
}
