package rbac

import (
	"context"
	"fmt"
	"strings"
	"time"
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
	// Until is the end of a temporary direct grant or membership (see
	// Window): the source counts until then. Zero for a permanent one.
	Until time.Time
}

// String returns "full access", "department 3" or "direct grant", with
// " until <time>" (RFC 3339) for a temporary source.
func (s Source) String() string {
	return s.describe("department " + s.Department.String())
}

// describe is String with the department named dept.
func (s Source) describe(dept string) string {
	var out string
	switch s.Kind {
	case SourceFullAccess:
		out = "full access"
	case SourceDepartment:
		out = dept
	case SourceDirect:
		out = "direct grant"
	default:
		return "unknown"
	}
	if !s.Until.IsZero() {
		out += " until " + s.Until.Format(time.RFC3339Nano)
	}
	return out
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

// String explains the decision in one line with IDs ("staff 2 may
// invoices:send: allowed by department 1"), the form for logs. For people,
// Service.Describe says the same with logins and department names.
func (d Decision) String() string {
	return d.format(func(id StaffID) string { return "staff " + id.String() },
		func(id DepartmentID) string { return "department " + id.String() })
}

func (d Decision) format(staff func(StaffID) string, dept func(DepartmentID) string) string {
	who := staff(d.Staff)
	if d.Allowed {
		parts := make([]string, len(d.Sources))
		for i, s := range d.Sources {
			if s.Kind == SourceDepartment {
				parts[i] = s.describe(dept(s.Department))
			} else {
				parts[i] = s.String()
			}
		}
		return fmt.Sprintf("%s may %s: allowed by %s", who, d.Permission, strings.Join(parts, ", "))
	}
	if d.Disabled {
		return fmt.Sprintf("%s may not %s: the account is disabled", who, d.Permission)
	}
	if d.Stale {
		return fmt.Sprintf("%s may not %s: this instance is too far behind the database (MaxStaleness)", who, d.Permission)
	}
	msg := fmt.Sprintf("%s may not %s: missing %s", who, d.Permission, d.Permission)
	if len(d.WouldGrant) > 0 {
		parts := make([]string, len(d.WouldGrant))
		for i, id := range d.WouldGrant {
			parts[i] = dept(id)
		}
		msg += "; held by " + strings.Join(parts, ", ")
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

// Holder is a staff member who may perform a permission and why: an
// entry of a WhoCanPage page, or of WhoCan's Holders (At, All).
type Holder struct {
	Staff   StaffID
	Sources []Source
}

// Describe explains d in one line for people: like Decision.String, with
// the staff member named by login and departments by name in the
// Service's language ("john may payments:view: allowed by department
// "Sales department""). It reads the names from the store; an account or
// department gone since is named by its ID.
func (s *Service) Describe(ctx context.Context, d Decision) string {
	return d.format(func(id StaffID) string { return s.who(ctx, id) }, s.departmentNamer(ctx, len(d.Sources)+len(d.WouldGrant)))
}

// DescribeSource names where a permission comes from, for people:
// "full access", "direct grant" or the department's name, with " until
// <time>" for a temporary source.
func (s *Service) DescribeSource(ctx context.Context, src Source) string {
	if src.Kind == SourceDepartment {
		return src.describe(s.departmentName(ctx, src.Department))
	}
	return src.String()
}

// departmentNamer names departments for n lookups: row by row for a few,
// from one read of every department for more.
func (s *Service) departmentNamer(ctx context.Context, n int) func(DepartmentID) string {
	if n <= 4 {
		return func(id DepartmentID) string { return s.departmentName(ctx, id) }
	}
	names := map[DepartmentID]string{}
	if ds, err := s.store.Departments(ctx); err == nil {
		for _, dep := range ds {
			names[dep.ID] = fmt.Sprintf("department %q", dep.Name.In(s.lang))
		}
	}
	return func(id DepartmentID) string {
		if n, ok := names[id]; ok {
			return n
		}
		return "department " + id.String()
	}
}
