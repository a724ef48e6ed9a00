package policy

import (
	"fmt"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
)

// The client domain's lines (model.conf's r2, p2, g3, g4, m2):
//
//	p2, crole:<id>, client:<id>, <section>, <action>   clients.RulePermission
//	g3, cuser:<id>, crole:<id>, client:<id>            clients.RuleAssignment
//	g3, cuser:<id>, owner, client:<id>                 clients.RuleFirstUser
//	g4, cuser:<id> | client:<id>, disabled             clients.RuleDisabled

// ClientPtypes are the policy types of the client domain, in load order.
var ClientPtypes = []string{"p2", "g3", "g4"}

const (
	clientPrefix = "client:"
	userPrefix   = "cuser:"
	rolePrefix   = "crole:"
	ownerRole    = "owner"
	disabledFlag = "disabled"
)

// ClientDomain renders a client as a Casbin domain (the r2.dom of a check
// on a resource it owns).
func ClientDomain(id clients.ClientID) string { return clientPrefix + id.String() }

// ClientUser renders a client user as a Casbin request subject.
func ClientUser(id clients.ClientUserID) string { return userPrefix + id.String() }

// ClientRole renders a client role as a Casbin subject.
func ClientRole(id clients.RoleID) string { return rolePrefix + id.String() }

// ClientToLine translates a typed client rule into its Casbin line.
func ClientToLine(r clients.Rule) (Line, error) {
	bad := func() (Line, error) {
		return Line{}, fmt.Errorf("policy: client rule %v: %w", r, rbac.ErrInvalid)
	}
	switch r.Kind {
	case clients.RulePermission:
		if r.Client <= 0 || r.Role <= 0 || r.User != 0 || !r.Permission.Action.Valid() {
			return bad()
		}
		if _, err := clients.ParseSection(string(r.Permission.Section)); err != nil {
			return bad()
		}
		return Line{"p", "p2", []string{ClientRole(r.Role), ClientDomain(r.Client), string(r.Permission.Section), r.Permission.Action.String()}}, nil
	case clients.RuleAssignment:
		if r.Client <= 0 || r.Role <= 0 || r.User <= 0 || r.Permission != (clients.Permission{}) {
			return bad()
		}
		return Line{"g", "g3", []string{ClientUser(r.User), ClientRole(r.Role), ClientDomain(r.Client)}}, nil
	case clients.RuleFirstUser:
		if r.Client <= 0 || r.User <= 0 || r.Role != 0 || r.Permission != (clients.Permission{}) {
			return bad()
		}
		return Line{"g", "g3", []string{ClientUser(r.User), ownerRole, ClientDomain(r.Client)}}, nil
	case clients.RuleDisabled:
		if r.Role != 0 || r.Permission != (clients.Permission{}) {
			return bad()
		}
		switch {
		case r.User > 0 && r.Client == 0:
			return Line{"g", "g4", []string{ClientUser(r.User), disabledFlag}}, nil
		case r.Client > 0 && r.User == 0:
			return Line{"g", "g4", []string{ClientDomain(r.Client), disabledFlag}}, nil
		}
	}
	return bad()
}

func parsePrefixed(s, prefix string) (int64, bool) {
	if !strings.HasPrefix(s, prefix) {
		return 0, false
	}
	id, err := clients.ParseClientID(s[len(prefix):])
	return int64(id), err == nil
}

// ClientFromLine translates a client Casbin line back into a typed rule.
func ClientFromLine(ptype string, v []string) (clients.Rule, error) {
	bad := func() (clients.Rule, error) {
		return clients.Rule{}, fmt.Errorf("policy: client line %s, %s: %w", ptype, strings.Join(v, ", "), rbac.ErrInvalid)
	}
	switch ptype {
	case "p2":
		if len(v) != 4 {
			return bad()
		}
		role, ok1 := parsePrefixed(v[0], rolePrefix)
		c, ok2 := parsePrefixed(v[1], clientPrefix)
		sec, err1 := clients.ParseSection(v[2])
		act, err2 := clients.ParseAction(v[3])
		if !ok1 || !ok2 || err1 != nil || err2 != nil {
			return bad()
		}
		return clients.PermissionRule(clients.ClientID(c), clients.RoleID(role), clients.Perm(sec, act)), nil
	case "g3":
		if len(v) != 3 {
			return bad()
		}
		u, ok1 := parsePrefixed(v[0], userPrefix)
		c, ok2 := parsePrefixed(v[2], clientPrefix)
		if !ok1 || !ok2 {
			return bad()
		}
		if v[1] == ownerRole {
			return clients.FirstUserRule(clients.ClientID(c), clients.ClientUserID(u)), nil
		}
		role, ok := parsePrefixed(v[1], rolePrefix)
		if !ok {
			return bad()
		}
		return clients.AssignmentRule(clients.ClientID(c), clients.ClientUserID(u), clients.RoleID(role)), nil
	case "g4":
		if len(v) != 2 || v[1] != disabledFlag {
			return bad()
		}
		if u, ok := parsePrefixed(v[0], userPrefix); ok {
			return clients.UserDisabledRule(clients.ClientUserID(u)), nil
		}
		if c, ok := parsePrefixed(v[0], clientPrefix); ok {
			return clients.ClientDisabledRule(clients.ClientID(c)), nil
		}
	}
	return bad()
}

// ClientFromModel returns every client rule in a Casbin model's policy.
func ClientFromModel(m model.Model) ([]clients.Rule, error) {
	var out []clients.Rule
	for _, pt := range ClientPtypes {
		ast, ok := m[pt[:1]][pt]
		if !ok {
			continue
		}
		for _, line := range ast.Policy {
			r, err := ClientFromLine(pt, line)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// AddClientRules adds client rules to a Casbin enforcer built on
// model.conf (NewEnforcer).
func AddClientRules(e *casbin.Enforcer, rules []clients.Rule) error {
	for _, r := range rules {
		l, err := ClientToLine(r)
		if err != nil {
			return err
		}
		if l.Sec == "p" {
			_, err = e.AddNamedPolicy(l.Ptype, l.Values)
		} else {
			_, err = e.AddNamedGroupingPolicy(l.Ptype, l.Values)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// EnforceClient asks a Casbin enforcer on model.conf whether client user u
// may perform p on a resource owned by client owner, through the client
// domain's matcher (EnforceContext "2").
func EnforceClient(e *casbin.Enforcer, u clients.ClientUserID, owner clients.ClientID, p clients.Permission) (bool, error) {
	return e.Enforce(casbin.NewEnforceContext("2"), ClientUser(u), ClientDomain(owner), string(p.Section), p.Action.String())
}
