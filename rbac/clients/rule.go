package clients

import "fmt"

// RuleKind says what a client policy rule expresses. Kinds map one to one
// onto the client lines of model.conf (p2, g3, g4).
type RuleKind uint8

// Rule kinds.
const (
	// RulePermission: role Role of client Client holds Permission (p2).
	RulePermission RuleKind = iota + 1
	// RuleAssignment: user User holds role Role in client Client (g3).
	RuleAssignment
	// RuleFirstUser: user User is client Client's first user (g3 "owner").
	RuleFirstUser
	// RuleDisabled: client Client, or user User when set, is disabled (g4).
	RuleDisabled
)

// Rule is one typed client policy rule: the unit the store persists.
// Package internal/policy translates it to and from Casbin.
type Rule struct {
	Kind       RuleKind
	Client     ClientID     // the domain; for RuleDisabled, the client disabled (when User is 0)
	User       ClientUserID // RuleAssignment, RuleFirstUser, RuleDisabled of a user
	Role       RoleID       // RulePermission, RuleAssignment
	Permission Permission   // RulePermission
}

// PermissionRule returns the rule giving p to role r of client c.
func PermissionRule(c ClientID, r RoleID, p Permission) Rule {
	return Rule{Kind: RulePermission, Client: c, Role: r, Permission: p}
}

// AssignmentRule returns the rule giving role r of client c to user u.
func AssignmentRule(c ClientID, u ClientUserID, r RoleID) Rule {
	return Rule{Kind: RuleAssignment, Client: c, User: u, Role: r}
}

// FirstUserRule returns the rule making u the first user of client c.
func FirstUserRule(c ClientID, u ClientUserID) Rule {
	return Rule{Kind: RuleFirstUser, Client: c, User: u}
}

// ClientDisabledRule returns the rule disabling client c.
func ClientDisabledRule(c ClientID) Rule { return Rule{Kind: RuleDisabled, Client: c} }

// UserDisabledRule returns the rule disabling client user u.
func UserDisabledRule(u ClientUserID) Rule { return Rule{Kind: RuleDisabled, User: u} }

// String renders the rule for logs and test failures.
func (r Rule) String() string {
	switch r.Kind {
	case RulePermission:
		return fmt.Sprintf("permission crole:%s client:%s %s", r.Role, r.Client, r.Permission)
	case RuleAssignment:
		return fmt.Sprintf("assignment cuser:%s crole:%s client:%s", r.User, r.Role, r.Client)
	case RuleFirstUser:
		return fmt.Sprintf("first-user cuser:%s client:%s", r.User, r.Client)
	case RuleDisabled:
		if r.User != 0 {
			return fmt.Sprintf("disabled cuser:%s", r.User)
		}
		return fmt.Sprintf("disabled client:%s", r.Client)
	}
	return fmt.Sprintf("rule(kind=%d)", r.Kind)
}

// Delta is the policy part of one change: rules added and removed.
type Delta struct {
	Add    []Rule
	Remove []Rule
}

// Empty reports whether the delta changes nothing.
func (d Delta) Empty() bool { return len(d.Add) == 0 && len(d.Remove) == 0 }

// UserRef ties a client user to its client.
type UserRef struct {
	ID     ClientUserID
	Client ClientID
}

// RoleRef ties a role to its client.
type RoleRef struct {
	ID     RoleID
	Client ClientID
}

// State is everything the decision index is built from, read in one
// consistent snapshot: the accounts, users and roles that exist and the
// client policy rules.
type State struct {
	Clients []ClientID
	Users   []UserRef
	Roles   []RoleRef
	Rules   []Rule
}
