package rbactest

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Expectation is one line of a test. Its kind is given by the key it
// starts with; each kind takes only its own fields:
//
//   - staff with can or cannot (a permission, function:action), optionally
//     because: a staff member's decision;
//   - staff with explain (a permission) and says: text the explanation
//     contains;
//   - who_can (a permission) with are: exactly who may;
//   - client_user with can or cannot (an action: view, add, modify,
//     delete), kind and owner, optionally because: a client user's
//     decision on a resource of kind owned by client owner;
//   - due (a department) with received and is (RFC 3339 times): the
//     response deadline of a client request;
//   - support_departments (names, in order) with optionally language: what
//     clients see in the support center;
//   - sign_in (a login) with password, optionally refused: true;
//   - as (the acting login) with may or may_not (an AdminOp), optionally
//     error (for may_not) and then (for may): an administrative operation,
//     run on a copy of the instance.
type Expectation struct {
	Staff  string `yaml:"staff,omitempty" json:"staff,omitempty"`
	Can    string `yaml:"can,omitempty" json:"can,omitempty"`
	Cannot string `yaml:"cannot,omitempty" json:"cannot,omitempty"`
	// Because lists the expected reasons. For an allowed staff check, the
	// exact set of sources ("full access", "direct grant", {department:
	// NAME}); for a staff denial, "disabled" asserts the account is
	// disabled. For an allowed client check, "first user" or the exact
	// set of {role: NAME}; for a client denial, one of "not owner",
	// "disabled", "no role". Empty: any reason.
	Because []Reason `yaml:"because,omitempty" json:"because,omitempty"`

	Explain string `yaml:"explain,omitempty" json:"explain,omitempty"` // function:action
	Says    string `yaml:"says,omitempty" json:"says,omitempty"`       // text the explanation contains

	WhoCan string   `yaml:"who_can,omitempty" json:"who_can,omitempty"` // function:action
	Are    []string `yaml:"are,omitempty" json:"are,omitempty"`         // exactly these logins (any order)

	ClientUser string `yaml:"client_user,omitempty" json:"client_user,omitempty"`
	Kind       string `yaml:"kind,omitempty" json:"kind,omitempty"`   // resource kind: service, invoice, payment, ticket...
	Owner      string `yaml:"owner,omitempty" json:"owner,omitempty"` // the client owning the resource

	Due      string `yaml:"due,omitempty" json:"due,omitempty"`           // department
	Received string `yaml:"received,omitempty" json:"received,omitempty"` // RFC 3339
	Is       string `yaml:"is,omitempty" json:"is,omitempty"`             // RFC 3339

	SupportDepartments []string `yaml:"support_departments,omitempty" json:"support_departments,omitempty"`
	Language           string   `yaml:"language,omitempty" json:"language,omitempty"` // BCP 47; default English

	SignIn   string `yaml:"sign_in,omitempty" json:"sign_in,omitempty"`
	Password string `yaml:"password,omitempty" json:"password,omitempty"`
	Refused  bool   `yaml:"refused,omitempty" json:"refused,omitempty"`

	As     string   `yaml:"as,omitempty" json:"as,omitempty"`
	May    *AdminOp `yaml:"may,omitempty" json:"may,omitempty"`
	MayNot *AdminOp `yaml:"may_not,omitempty" json:"may_not,omitempty"`
	// Error is the refusal may_not expects: "permission denied" (the
	// default), "last full access", "inherited", "invalid", "conflict" or
	// "not found".
	Error string `yaml:"error,omitempty" json:"error,omitempty"`
	// Then are checks (any kind but as) made on the copy after a
	// successful may.
	Then []Expectation `yaml:"then,omitempty" json:"then,omitempty"`
}

// AdminOp is one administrative operation; exactly one field is set.
type AdminOp struct {
	Grant                *GrantOp         `yaml:"grant,omitempty" json:"grant,omitempty"`
	Revoke               *GrantOp         `yaml:"revoke,omitempty" json:"revoke,omitempty"`
	AddToDepartment      *MembershipOp    `yaml:"add_to_department,omitempty" json:"add_to_department,omitempty"`
	RemoveFromDepartment *MembershipOp    `yaml:"remove_from_department,omitempty" json:"remove_from_department,omitempty"`
	ResetPassword        string           `yaml:"reset_password,omitempty" json:"reset_password,omitempty"` // login
	UpdateStaff          *StaffUpdateOp   `yaml:"update_staff,omitempty" json:"update_staff,omitempty"`
	EnablePermissions    *DepartmentPerms `yaml:"enable_permissions,omitempty" json:"enable_permissions,omitempty"`
	DisablePermissions   *DepartmentPerms `yaml:"disable_permissions,omitempty" json:"disable_permissions,omitempty"`
	ReEnable             *ReEnableOp      `yaml:"re_enable,omitempty" json:"re_enable,omitempty"`
}

// GrantOp grants or revokes direct grants.
type GrantOp struct {
	Staff       string   `yaml:"staff" json:"staff"`
	Permissions []string `yaml:"permissions" json:"permissions"`
}

// MembershipOp adds a staff member to a department or removes them.
type MembershipOp struct {
	Staff      string `yaml:"staff" json:"staff"`
	Department string `yaml:"department" json:"department"`
}

// StaffUpdateOp updates a staff member's fields; absent fields stay.
type StaffUpdateOp struct {
	Staff      string  `yaml:"staff" json:"staff"`
	Login      *string `yaml:"login,omitempty" json:"login,omitempty"`
	Name       *string `yaml:"name,omitempty" json:"name,omitempty"`
	Email      *string `yaml:"email,omitempty" json:"email,omitempty"`
	Phone      *string `yaml:"phone,omitempty" json:"phone,omitempty"`
	FullAccess *bool   `yaml:"full_access,omitempty" json:"full_access,omitempty"`
	Disabled   *bool   `yaml:"disabled,omitempty" json:"disabled,omitempty"`
}

// DepartmentPerms enables or disables a department's permissions.
type DepartmentPerms struct {
	Department  string   `yaml:"department" json:"department"`
	Permissions []string `yaml:"permissions" json:"permissions"`
}

// ReEnableOp switches a disabled staff member or department back on;
// exactly one field is set.
type ReEnableOp struct {
	Staff      string `yaml:"staff,omitempty" json:"staff,omitempty"`
	Department string `yaml:"department,omitempty" json:"department,omitempty"`
}

// ReasonKind is the kind of a Reason.
type ReasonKind string

// Reason kinds, as written in test files.
const (
	ReasonFullAccess ReasonKind = "full access"  // staff, allowed
	ReasonDirect     ReasonKind = "direct grant" // staff, allowed
	ReasonDepartment ReasonKind = "department"   // staff, allowed: {department: NAME}
	ReasonDisabled   ReasonKind = "disabled"     // staff or client, denied
	ReasonFirstUser  ReasonKind = "first user"   // client, allowed
	ReasonRole       ReasonKind = "role"         // client, allowed: {role: NAME}
	ReasonNotOwner   ReasonKind = "not owner"    // client, denied
	ReasonNoRole     ReasonKind = "no role"      // client, denied
)

// Reason is an expected reason for a decision: one of the ReasonKind
// strings, or {department: NAME} / {role: NAME}.
type Reason struct {
	Kind ReasonKind
	Name string // the department or role, for ReasonDepartment and ReasonRole
}

// String returns the reason as messages show it: `department "Sales
// department"`, "direct grant"...
func (r Reason) String() string {
	if r.Kind == ReasonDepartment || r.Kind == ReasonRole {
		return fmt.Sprintf("%s %q", r.Kind, r.Name)
	}
	return string(r.Kind)
}

// MarshalYAML writes a reason as UnmarshalYAML reads it.
func (r Reason) MarshalYAML() (any, error) {
	if r.Kind == ReasonDepartment || r.Kind == ReasonRole {
		return map[string]string{string(r.Kind): r.Name}, nil
	}
	return string(r.Kind), nil
}

// UnmarshalYAML reads a reason from a string or a {department: NAME} or
// {role: NAME} mapping (JSON: "direct grant" or {"department": "NAME"}).
func (r *Reason) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		switch k := ReasonKind(n.Value); k {
		case ReasonFullAccess, ReasonDirect, ReasonDisabled, ReasonFirstUser, ReasonNotOwner, ReasonNoRole:
			*r = Reason{Kind: k}
			return nil
		}
		return fmt.Errorf("line %d: unknown reason %q: want \"full access\", \"direct grant\", \"disabled\", {department: NAME}, "+
			"\"first user\", {role: NAME}, \"not owner\" or \"no role\"", n.Line, n.Value)
	case yaml.MappingNode:
		if len(n.Content) == 2 && n.Content[1].Kind == yaml.ScalarNode && n.Content[1].Value != "" {
			switch k := ReasonKind(n.Content[0].Value); k {
			case ReasonDepartment, ReasonRole:
				*r = Reason{Kind: k, Name: n.Content[1].Value}
				return nil
			}
		}
		return fmt.Errorf("line %d: a named reason is {department: NAME} or {role: NAME}", n.Line)
	}
	return fmt.Errorf("line %d: a reason is a string, {department: NAME} or {role: NAME}", n.Line)
}

// kind names an expectation's kind by its leading key: "staff",
// "explain", "who_can", "client_user", "due", "support_departments",
// "sign_in" or "as"; "" when it has none, "ambiguous" for several.
func (e *Expectation) kind() string {
	var keys []string
	if e.Staff != "" {
		if e.Explain != "" {
			keys = append(keys, "explain")
		} else {
			keys = append(keys, "staff")
		}
	}
	for _, k := range []struct {
		set  bool
		name string
	}{
		{e.WhoCan != "", "who_can"}, {e.ClientUser != "", "client_user"}, {e.Due != "", "due"},
		{e.SupportDepartments != nil, "support_departments"}, {e.SignIn != "", "sign_in"}, {e.As != "", "as"},
	} {
		if k.set {
			keys = append(keys, k.name)
		}
	}
	switch len(keys) {
	case 0:
		return ""
	case 1:
		return keys[0]
	}
	return "ambiguous"
}

// readOnly reports whether the expectation can run against a live
// database: it reads decisions and changes nothing. Sign-in may re-hash a
// password and administrative operations change state, so they need a
// copy.
func (e *Expectation) readOnly() bool {
	k := e.kind()
	return k != "sign_in" && k != "as"
}
