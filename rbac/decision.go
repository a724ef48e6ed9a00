package rbac

import (
	"context"
	"fmt"
	"strings"
)

// SourceKind says where a permission comes from.
type SourceKind uint8

// Sources of a permission.
const (
	SourceFullAccess SourceKind = iota + 1 // the full-access flag
	SourceDepartment                       // a department the staff member belongs to
	SourceDirect                           // a direct grant on the staff member
)

// Source is one reason a staff member holds a permission.
type Source struct {
	Kind       SourceKind
	Department DepartmentID // for SourceDepartment
}

// String returns "full access", "department 3" or "direct grant".
func (s Source) String() string {
	switch s.Kind {
	case SourceFullAccess:
		return "full access"
	case SourceDepartment:
		return "department " + s.Department.String()
	case SourceDirect:
		return "direct grant"
	}
	return "unknown"
}

// Decision is the answer to a check, with its explanation.
type Decision struct {
	Staff      StaffID
	Permission Permission
	Allowed    bool
	// Sources lists every reason the permission is held (when Allowed).
	Sources []Source
	// Disabled is set when the staff member is disabled: everything is
	// denied, whatever the sources.
	Disabled bool
	// WouldGrant lists, on a deny, the active departments that hold the
	// permission: joining one of them would allow it.
	WouldGrant []DepartmentID
	// Stale is set when the permission is denied only because this
	// instance has not confirmed for Options.MaxStaleness that it applied
	// every committed change.
	Stale bool
}

// String explains the decision in one line.
func (d Decision) String() string {
	if d.Allowed {
		parts := make([]string, len(d.Sources))
		for i, s := range d.Sources {
			parts[i] = s.String()
		}
		return fmt.Sprintf("staff %s may %s: allowed by %s", d.Staff, d.Permission, strings.Join(parts, ", "))
	}
	if d.Disabled {
		return fmt.Sprintf("staff %s may not %s: the account is disabled", d.Staff, d.Permission)
	}
	if d.Stale {
		return fmt.Sprintf("staff %s may not %s: this instance is too far behind the database (MaxStaleness)", d.Staff, d.Permission)
	}
	msg := fmt.Sprintf("staff %s may not %s: missing %s", d.Staff, d.Permission, d.Permission)
	if len(d.WouldGrant) > 0 {
		ids := make([]string, len(d.WouldGrant))
		for i, id := range d.WouldGrant {
			ids[i] = id.String()
		}
		msg += "; held by department(s) " + strings.Join(ids, ", ")
	}
	return msg
}

// EffectivePermission is one line of a staff member's rights, as an admin
// screen shows them.
type EffectivePermission struct {
	Permission Permission
	Sources    []Source
	// Editable is true when the permission is a direct grant, which can be
	// revoked on the person. Inherited permissions (from departments or
	// full access) are shown but not editable on the person.
	Editable bool
}

// Holder is one answer of WhoCan: a staff member and why they may.
type Holder struct {
	Staff   StaffID
	Sources []Source
}

// Describe explains d in one line like Decision.String, with departments
// named in the default language instead of numbered.
func (s *Service) Describe(ctx context.Context, d Decision) string {
	names := map[DepartmentID]string{}
	if ds, err := s.store.Departments(ctx); err == nil {
		for _, dep := range ds {
			names[dep.ID] = fmt.Sprintf("%q", dep.Name.In(s.lang))
		}
	}
	name := func(id DepartmentID) string {
		if n, ok := names[id]; ok {
			return "department " + n
		}
		return "department " + id.String()
	}
	if d.Allowed {
		parts := make([]string, len(d.Sources))
		for i, src := range d.Sources {
			parts[i] = src.String()
			if src.Kind == SourceDepartment {
				parts[i] = name(src.Department)
			}
		}
		return fmt.Sprintf("staff %s may %s: allowed by %s", d.Staff, d.Permission, strings.Join(parts, ", "))
	}
	if d.Disabled || len(d.WouldGrant) == 0 {
		return d.String()
	}
	parts := make([]string, len(d.WouldGrant))
	for i, id := range d.WouldGrant {
		parts[i] = name(id)
	}
	return fmt.Sprintf("staff %s may not %s: missing %s; held by %s", d.Staff, d.Permission, d.Permission, strings.Join(parts, ", "))
}
