package policy_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/casbin/casbin/v2"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
)

func TestClientRoundTrip(t *testing.T) {
	rules := []clients.Rule{
		clients.PermissionRule(1, 2, clients.Perm(clients.SectionServices, clients.View)),
		clients.PermissionRule(1, 2, clients.Perm(clients.SectionFinance, clients.Modify)),
		clients.AssignmentRule(1, 5, 2),
		clients.FirstUserRule(1, 4),
		clients.UserDisabledRule(5),
		clients.ClientDisabledRule(1),
	}
	want := [][]string{
		{"p2", "crole:2", "client:1", "services", "view"},
		{"p2", "crole:2", "client:1", "finance", "modify"},
		{"g3", "cuser:5", "crole:2", "client:1"},
		{"g3", "cuser:4", "owner", "client:1"},
		{"g4", "cuser:5", "disabled"},
		{"g4", "client:1", "disabled"},
	}
	for i, r := range rules {
		l, err := policy.ClientToLine(r)
		if err != nil {
			t.Fatalf("ClientToLine(%v): %v", r, err)
		}
		if got := append([]string{l.Ptype}, l.Values...); !slices.Equal(got, want[i]) {
			t.Fatalf("ClientToLine(%v) = %v, want %v", r, got, want[i])
		}
		back, err := policy.ClientFromLine(l.Ptype, l.Values)
		if err != nil || back != r {
			t.Fatalf("ClientFromLine(%v) = %v, %v; want %v", want[i], back, err, r)
		}
	}
	// Through a Casbin model and back.
	e, err := policy.NewEnforcer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := policy.AddClientRules(e, rules); err != nil {
		t.Fatal(err)
	}
	got, err := policy.ClientFromModel(e.GetModel())
	if err != nil || len(got) != len(rules) {
		t.Fatalf("ClientFromModel = %v, %v", got, err)
	}
	for _, r := range rules {
		if !slices.Contains(got, r) {
			t.Fatalf("ClientFromModel lost %v", r)
		}
	}
	staff, err := policy.FromModel(e.GetModel())
	if err != nil || len(staff) != 0 {
		t.Fatalf("staff FromModel read client rules: %v, %v", staff, err)
	}
}

func TestClientRejectsBadLines(t *testing.T) {
	bad := []struct {
		ptype string
		v     []string
	}{
		{"p2", []string{"crole:2", "client:1", "services"}},
		{"p2", []string{"cuser:2", "client:1", "services", "view"}},
		{"p2", []string{"crole:2", "client:1", "services", "suspend"}},
		{"p2", []string{"crole:2", "client:0", "services", "view"}},
		{"p2", []string{"crole:2", "client:1", "Services", "view"}},
		{"g3", []string{"cuser:5", "dept:2", "client:1"}},
		{"g3", []string{"staff:5", "owner", "client:1"}},
		{"g3", []string{"cuser:5", "crole:2"}},
		{"g4", []string{"cuser:5", "full-access"}},
		{"g4", []string{"staff:5", "disabled"}},
		{"g", []string{"cuser:5", "dept:1"}},
	}
	for _, c := range bad {
		if r, err := policy.ClientFromLine(c.ptype, c.v); !errors.Is(err, rbac.ErrInvalid) {
			t.Errorf("ClientFromLine(%s, %v) = %v, %v; want ErrInvalid", c.ptype, c.v, r, err)
		}
	}
	badRules := []clients.Rule{
		{Kind: clients.RulePermission, Client: 1, Role: 2, Permission: clients.Perm(clients.SectionServices, 0)},
		{Kind: clients.RuleAssignment, Client: 1, User: 0, Role: 2},
		{Kind: clients.RuleFirstUser, Client: 0, User: 4},
		{Kind: clients.RuleDisabled, Client: 1, User: 5},
		{Kind: clients.RuleDisabled},
		{Kind: 9},
	}
	for _, r := range badRules {
		if l, err := policy.ClientToLine(r); !errors.Is(err, rbac.ErrInvalid) {
			t.Errorf("ClientToLine(%+v) = %v, %v; want ErrInvalid", r, l, err)
		}
	}
}

// TestClientMatcher checks model.conf's m2 on a hand-written policy.
func TestClientMatcher(t *testing.T) {
	e, err := policy.NewEnforcer(nil)
	if err != nil {
		t.Fatal(err)
	}
	view := clients.Perm(clients.SectionServices, clients.View)
	if err := policy.AddClientRules(e, []clients.Rule{
		clients.PermissionRule(1, 2, view),
		clients.AssignmentRule(1, 5, 2),
		clients.FirstUserRule(1, 4),
		clients.FirstUserRule(3, 6),
		clients.PermissionRule(3, 7, view),
		clients.AssignmentRule(3, 8, 7),
		clients.UserDisabledRule(8),
	}); err != nil {
		t.Fatal(err)
	}
	modify := clients.Perm(clients.SectionServices, clients.Modify)
	cases := []struct {
		user  clients.ClientUserID
		owner clients.ClientID
		p     clients.Permission
		want  bool
	}{
		{5, 1, view, true},
		{5, 1, modify, false},
		{5, 3, view, false}, // another client's resource
		{4, 1, modify, true},
		{4, 3, view, false}, // first user of 1 on client 3
		{6, 3, modify, true},
		{8, 3, view, false}, // disabled
	}
	for _, c := range cases {
		got, err := policy.EnforceClient(e, c.user, c.owner, c.p)
		if err != nil || got != c.want {
			t.Errorf("EnforceClient(%s, %s, %s) = %v, %v; want %v", c.user, c.owner, c.p, got, err, c.want)
		}
	}
	if _, err := e.AddNamedGroupingPolicy("g4", []string{"client:1", "disabled"}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []clients.ClientUserID{4, 5} {
		if ok, _ := policy.EnforceClient(e, u, 1, view); ok {
			t.Errorf("user %s of disabled client 1 allowed", u)
		}
	}
	if ok, _ := e.Enforce(casbin.NewEnforceContext("2"), "cuser:6", "client:3", "services", "view"); !ok {
		t.Error("disabling client 1 affected client 3")
	}
}

// FuzzClientLine: a line that parses translates back to itself.
func FuzzClientLine(f *testing.F) {
	f.Add("p2", "crole:2", "client:1", "services", "view")
	f.Add("g3", "cuser:5", "crole:2", "client:1", "")
	f.Add("g3", "cuser:5", "owner", "client:1", "")
	f.Add("g4", "cuser:5", "disabled", "", "")
	f.Add("g4", "client:01", "disabled", "", "")
	f.Fuzz(func(t *testing.T, ptype, a, b, c, d string) {
		var v []string
		for _, s := range []string{a, b, c, d} {
			if s == "" {
				break
			}
			v = append(v, s)
		}
		r, err := policy.ClientFromLine(ptype, v)
		if err != nil {
			if !errors.Is(err, rbac.ErrInvalid) {
				t.Fatalf("ClientFromLine error %v", err)
			}
			return
		}
		l, err := policy.ClientToLine(r)
		if err != nil || l.Ptype != ptype || !slices.Equal(l.Values, v) {
			t.Fatalf("ClientFromLine(%s, %v) = %v; back to %v, %v", ptype, v, r, l, err)
		}
	})
}
