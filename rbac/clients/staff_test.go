package clients_test

import (
	"reflect"
	"testing"

	"github.com/casbin/casbin/v2"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
)

// TestStaffActOnClientResources: staff act on any client's resources
// through their staff permissions, never through client roles.
func TestStaffActOnClientResources(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		a, z := e.client("alice"), e.client("zed")
		tia := e.staffIn("tia", e.boot.Support.ID) // services:view, services:suspend
		sam := e.staffIn("sam", e.boot.Sales.ID)   // services:view, no suspend
		nob := e.staffIn("nob")
		cases := []struct {
			staff rbac.StaffID
			act   rbac.Action
			res   clients.Resource
			want  bool
		}{
			{tia, rbac.ActView, svcOf(a.ID), true},
			{tia, rbac.ActView, svcOf(z.ID), true},
			{tia, rbac.ActSuspend, svcOf(z.ID), true},
			{sam, rbac.ActView, svcOf(z.ID), true},
			{sam, rbac.ActSuspend, svcOf(z.ID), false},
			{nob, rbac.ActView, svcOf(a.ID), false},
			{tia, rbac.ActView, clients.Resource{Kind: clients.KindInvoice, Owner: a.ID}, false},
			{e.boot.Admin.ID, rbac.ActSend, clients.Resource{Kind: clients.KindInvoice, Owner: a.ID}, true},
			{e.boot.Admin.ID, rbac.ActView, clients.Resource{Kind: "domain", Owner: a.ID}, false},
		}
		for _, c := range cases {
			if got := e.svc.StaffCan(c.staff, c.act, c.res); got != c.want {
				t.Errorf("StaffCan(%s, %s, %s) = %v, want %v", c.staff, c.act, c.res, got, c.want)
			}
			d := e.svc.ExplainStaff(c.staff, c.act, c.res)
			if d.Allowed() != c.want || (c.want && len(d.Decision.Sources) == 0) {
				t.Errorf("ExplainStaff(%s, %s, %s) = %s", c.staff, c.act, c.res, d)
			}
		}
		d := e.svc.ExplainStaff(tia, rbac.ActSuspend, svcOf(z.ID))
		if got, want := d.String(), "staff 2 may services:suspend: allowed by department 2 (on service 102 of client 2)"; got != want {
			t.Fatalf("String = %q, want %q", got, want)
		}
		d = e.svc.ExplainStaff(sam, rbac.ActSuspend, svcOf(z.ID))
		if got, want := d.String(), "staff 3 may not services:suspend: missing services:suspend; held by department 2 (on service 102 of client 2)"; got != want {
			t.Fatalf("String = %q, want %q", got, want)
		}
		// Filters: staff holding the view permission list every client's rows.
		if f := e.svc.StaffFilter(tia, clients.KindService); !f.All || !f.Allows(z.ID) {
			t.Fatalf("StaffFilter(tia) = %+v", f)
		}
		if f := e.svc.StaffFilter(nob, clients.KindService); !f.None() || f.Allows(a.ID) {
			t.Fatalf("StaffFilter(nob) = %+v", f)
		}
	})
}

func TestUserFilter(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	a, z := e.client("alice"), e.client("zed")
	owner := clients.ByUser(a.FirstUser)
	viewer := e.role(owner, a.ID, "Viewer", clients.Perm(clients.SectionServices, clients.View))
	bob := e.user(owner, a.ID, "bob", viewer.ID)
	cases := []struct {
		user clients.ClientUserID
		kind clients.ResourceKind
		want clients.ListFilter
	}{
		{a.FirstUser, clients.KindService, clients.ListFilter{Kind: clients.KindService, Owner: a.ID}},
		{z.FirstUser, clients.KindInvoice, clients.ListFilter{Kind: clients.KindInvoice, Owner: z.ID}},
		{bob.ID, clients.KindService, clients.ListFilter{Kind: clients.KindService, Owner: a.ID}},
		{bob.ID, clients.KindInvoice, clients.ListFilter{Kind: clients.KindInvoice}},
		{999, clients.KindService, clients.ListFilter{Kind: clients.KindService}},
	}
	for _, c := range cases {
		f := e.svc.UserFilter(c.user, c.kind)
		if f != c.want {
			t.Errorf("UserFilter(%s, %s) = %+v, want %+v", c.user, c.kind, f, c.want)
		}
		if f.Allows(z.ID) && c.user != z.FirstUser {
			t.Errorf("UserFilter(%s, %s) allows client %s's rows", c.user, c.kind, z.ID)
		}
	}
}

// TestClientsNeverGainStaffPermissions: client rules live in their own
// policy types, which the staff matcher and index never read, so no client
// or client user holds a staff permission, and client changes leave the
// staff policy alone (they enter the one change log as the client
// domain's entries).
func TestClientsNeverGainStaffPermissions(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		rules, _, err := e.st.LoadPolicy(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		staffOnly := rbac.ChangeQuery{Domain: rbac.DomainStaff, Limit: 1000}
		staffLog, err := e.st.Changes(e.ctx, staffOnly)
		if err != nil {
			t.Fatal(err)
		}
		a := e.client("alice")
		owner := clients.ByUser(a.FirstUser)
		all := e.svc.Catalog().Permissions()
		r := e.role(owner, a.ID, "Everything", all...)
		u := e.user(owner, a.ID, "bob", r.ID)

		after, _, err := e.st.LoadPolicy(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		staffLog2, err := e.st.Changes(e.ctx, staffOnly)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(after, rules) || len(staffLog2) != len(staffLog) {
			t.Fatalf("client changes touched the staff policy: rules %d -> %d, staff log %d -> %d", len(rules), len(after), len(staffLog), len(staffLog2))
		}
		ce := storedEnforcer(t, e.st)
		subjects := []string{policy.ClientUser(u.ID), policy.ClientUser(a.FirstUser), policy.ClientDomain(a.ID), policy.ClientRole(r.ID), "owner"}
		for _, p := range e.staff.Catalog().Permissions() {
			for _, sub := range subjects {
				ok, err := ce.Enforce(sub, string(p.Function), string(p.Action))
				if err != nil || ok {
					t.Fatalf("staff matcher: %s may %s = %v, %v", sub, p, ok, err)
				}
			}
		}
		// The client matcher answers only for client subjects.
		ok, err := ce.Enforce(casbin.NewEnforceContext("2"), policy.Staff(e.boot.Admin.ID), policy.ClientDomain(a.ID), "services", "view")
		if err != nil || ok {
			t.Fatalf("client matcher: full-access staff = %v, %v", ok, err)
		}
	})
}
