package policy_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
		require.NoError(t, err, "ClientToLine(%v)", r)
		assert.Equal(t, want[i], append([]string{l.Ptype}, l.Values...), "ClientToLine(%v)", r)
		back, err := policy.ClientFromLine(l.Ptype, l.Values)
		require.NoError(t, err, "ClientFromLine(%v)", want[i])
		assert.Equal(t, r, back, "ClientFromLine(%v)", want[i])
	}
	// Through a Casbin model and back.
	e, err := policy.NewEnforcer(nil)
	require.NoError(t, err)
	require.NoError(t, policy.AddClientRules(e, rules))
	got, err := policy.ClientFromModel(e.GetModel())
	require.NoError(t, err)
	assert.ElementsMatch(t, rules, got)
	staff, err := policy.FromModel(e.GetModel())
	require.NoError(t, err)
	assert.Empty(t, staff, "staff FromModel read client rules")
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
		r, err := policy.ClientFromLine(c.ptype, c.v)
		assert.ErrorIs(t, err, rbac.ErrInvalid, "ClientFromLine(%s, %v) = %v", c.ptype, c.v, r)
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
		l, err := policy.ClientToLine(r)
		assert.ErrorIs(t, err, rbac.ErrInvalid, "ClientToLine(%+v) = %v", r, l)
	}
}

// TestClientMatcher checks model.conf's m2 on a hand-written policy.
func TestClientMatcher(t *testing.T) {
	e, err := policy.NewEnforcer(nil)
	require.NoError(t, err)
	view := clients.Perm(clients.SectionServices, clients.View)
	require.NoError(t, policy.AddClientRules(e, []clients.Rule{
		clients.PermissionRule(1, 2, view),
		clients.AssignmentRule(1, 5, 2),
		clients.FirstUserRule(1, 4),
		clients.FirstUserRule(3, 6),
		clients.PermissionRule(3, 7, view),
		clients.AssignmentRule(3, 8, 7),
		clients.UserDisabledRule(8),
	}))
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
		if assert.NoError(t, err) {
			assert.Equal(t, c.want, got, "EnforceClient(%s, %s, %s)", c.user, c.owner, c.p)
		}
	}
	_, err = e.AddNamedGroupingPolicy("g4", []string{"client:1", "disabled"})
	require.NoError(t, err)
	for _, u := range []clients.ClientUserID{4, 5} {
		ok, _ := policy.EnforceClient(e, u, 1, view)
		assert.False(t, ok, "user %s of disabled client 1 allowed", u)
	}
	ok, _ := e.Enforce(casbin.NewEnforceContext("2"), "cuser:6", "client:3", "services", "view")
	assert.True(t, ok, "disabling client 1 affected client 3")
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
