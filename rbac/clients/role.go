package clients

import (
	"fmt"
	"slices"
	"time"
)

const maxRoleRunes = 64

// Limits on the lists one call takes, so that validating, authorizing and
// recording it stay bounded: a longer list is one error (rule max_count),
// found without reading it.
const (
	// MaxPermissionsPerRole is the most permissions a RoleUpdate lists.
	MaxPermissionsPerRole = 256
	// MaxRolesPerUser is the most roles a NewUser lists.
	MaxRolesPerUser = 256
)

// Role is a named set of permissions defined by one client account for its
// users: a Casbin role in that client's domain. A new role holds nothing.
// Permissions come from the policy.
type Role struct {
	ID          RoleID
	Client      ClientID
	Name        string       // unique within the client
	Permissions []Permission // in catalog order of sections, then action
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// NewRole is the input for creating a role. A new role holds no
// permission: switch them on with UpdateRole.
type NewRole struct {
	Name string
}

// Validate normalizes the input and reports every bad field at once.
func (in *NewRole) Validate() error {
	var fe fieldErrors
	in.Name = normalizeRoleName(&fe, in.Name)
	return fe.err("create role")
}

// RoleUpdate changes a role; nil fields are left as they are. Permissions,
// when set, replaces the whole set (the role screen's toggles): an empty
// slice switches everything off.
type RoleUpdate struct {
	Name        *string
	Permissions *[]Permission
}

// Validate normalizes the input and reports every bad field at once.
// Sections are checked against c; a permission listed twice counts once.
func (in *RoleUpdate) Validate(c *Catalog) error {
	var fe fieldErrors
	if in.Name != nil {
		*in.Name = normalizeRoleName(&fe, *in.Name)
	}
	if in.Permissions != nil && len(*in.Permissions) > MaxPermissionsPerRole {
		fe.add("permissions", "max_count", "at most %d permissions, not %d", MaxPermissionsPerRole, len(*in.Permissions))
	} else if in.Permissions != nil {
		var out []Permission
		for i, p := range *in.Permissions {
			field := fmt.Sprintf("permissions[%d]", i)
			switch {
			case !p.Action.Valid():
				fe.add(field, "enum", "action must be view, add, modify or delete")
			case !c.HasSection(p.Section):
				fe.add(field, "unknown", "section %q is not registered", p.Section)
			case !slices.Contains(out, p):
				out = append(out, p)
			}
		}
		*in.Permissions = out
	}
	return fe.err("update role")
}

func normalizeRoleName(fe *fieldErrors, s string) string {
	return normalizeText(fe, "name", s, maxRoleRunes)
}
