package clients

import (
	"fmt"
	"slices"
	"strings"

	"github.com/billingrbac/billingrbac/rbac"
)

// Reason says why a client user's check was decided as it was.
type Reason uint8

// Reasons. The first two allow; the others deny.
const (
	// AllowedFirstUser: the user is the owner's first user, who has every
	// right in its own account.
	AllowedFirstUser Reason = iota + 1
	// AllowedByRole: the user belongs to the owner and one of its roles
	// (listed in Decision.Roles) holds the permission.
	AllowedByRole
	// DeniedUnknownUser: no such client user.
	DeniedUnknownUser
	// DeniedUnknownKind: the resource kind is not in the catalog.
	DeniedUnknownKind
	// DeniedNotOwner: the resource belongs to another client.
	DeniedNotOwner
	// DeniedDisabled: the user or its client account is disabled.
	DeniedDisabled
	// DeniedNoRole: no role of the user holds the permission.
	DeniedNoRole
	// DeniedInvalidAction: the action is not view, add, modify or delete.
	DeniedInvalidAction
	// DeniedStale: the instance has not confirmed for the rbac.Service's
	// Options.MaxStaleness that it applied every committed change, so it
	// denies everything.
	DeniedStale
)

var reasonText = map[Reason]string{
	AllowedFirstUser:    "allowed: the client's first user",
	AllowedByRole:       "allowed by role",
	DeniedUnknownUser:   "denied: unknown client user",
	DeniedUnknownKind:   "denied: unknown resource kind",
	DeniedNotOwner:      "denied: the resource belongs to another client",
	DeniedDisabled:      "denied: the user or its client is disabled",
	DeniedNoRole:        "denied: no role of the user holds the permission",
	DeniedInvalidAction: "denied: invalid action",
	DeniedStale:         "denied: this instance is too far behind the database",
}

// String describes the reason in a few words.
func (r Reason) String() string {
	if s, ok := reasonText[r]; ok {
		return s
	}
	return fmt.Sprintf("reason(%d)", uint8(r))
}

// Decision is the answer to a client user's check, with its explanation:
// an allowed decision always names the owner (the user's own client) and
// the first-user right or the roles that hold the permission.
type Decision struct {
	User       ClientUserID
	Client     ClientID // the user's client (0 when unknown)
	Resource   Resource
	Permission Permission // the section of the resource kind and the action
	Allowed    bool
	Reason     Reason
	Roles      []RoleID // AllowedByRole: every role of the user holding Permission
}

// String explains the decision in one line.
func (d Decision) String() string {
	head := fmt.Sprintf("client user %s (client %s) %s on %s", d.User, d.Client, d.Permission.Action, d.Resource)
	if d.Reason == AllowedByRole {
		ids := make([]string, len(d.Roles))
		for i, r := range d.Roles {
			ids[i] = r.String()
		}
		return head + ": allowed by role(s) " + strings.Join(ids, ", ") + " holding " + d.Permission.String()
	}
	if d.Reason == DeniedNoRole {
		return head + ": denied: no role holds " + d.Permission.String()
	}
	return head + ": " + d.Reason.String()
}

// Can reports whether client user u may perform a on res: only when res is
// owned by u's client, neither is disabled, and u is its first user or one
// of u's roles holds a in the section of res.Kind. It is answered from the
// in-memory index. With the rbac.Service's Options.MaxStaleness set, an
// instance that has not confirmed it is current for that long denies
// everything.
func (s *Service) Can(u ClientUserID, a Action, res Resource) bool {
	ki, ok := s.catalog.Kind(res.Kind)
	return ok && s.snap.Load().can(u, ki.Section, a, res.Owner) && !s.eng.Stale()
}

// can is the hot path of Explain's rule, without building a decision.
func (s *snapshot) can(u ClientUserID, sec Section, a Action, owner ClientID) bool {
	ue := s.users.get(u)
	if ue == nil || owner <= 0 || ue.client != owner || ue.disabled || !a.Valid() || s.clientDisabled(owner) {
		return false
	}
	if ue.first {
		return true
	}
	for _, r := range ue.roles {
		if re := s.roles.get(r); re != nil && re.client == owner && re.perms.get(sec)&bit(a) != 0 {
			return true
		}
	}
	return false
}

// Explain returns the decision for u, a and res with its reason.
func (s *Service) Explain(u ClientUserID, a Action, res Resource) Decision {
	return s.explain(s.snap.Load(), u, a, res)
}

// Check is Can returning an error: nil when allowed, otherwise a
// *CheckError (rbac.ErrPermissionDenied) carrying the decision.
func (s *Service) Check(u ClientUserID, a Action, res Resource) error {
	d := s.Explain(u, a, res)
	if d.Allowed {
		return nil
	}
	return &CheckError{Decision: d}
}

// CheckError is a denied client check. It unwraps to
// rbac.ErrPermissionDenied and, when the resource belongs to another
// client, to ErrCrossClient too.
type CheckError struct{ Decision Decision }

func (e *CheckError) Error() string { return "check: permission denied: " + e.Decision.String() }

// Unwrap makes errors.Is match rbac.ErrPermissionDenied (and
// ErrCrossClient for another client's resource).
func (e *CheckError) Unwrap() []error {
	if e.Decision.Reason == DeniedNotOwner {
		return []error{rbac.ErrPermissionDenied, ErrCrossClient}
	}
	return []error{rbac.ErrPermissionDenied}
}

func (s *Service) explain(snap *snapshot, u ClientUserID, a Action, res Resource) Decision {
	d := Decision{User: u, Resource: res, Permission: Permission{Action: a}}
	ki, ok := s.catalog.Kind(res.Kind)
	if ok {
		d.Permission.Section = ki.Section
	}
	ue := snap.users.get(u)
	if ue != nil {
		d.Client = ue.client
	}
	switch {
	case ue == nil:
		d.Reason = DeniedUnknownUser
	case !ok:
		d.Reason = DeniedUnknownKind
	case !a.Valid():
		d.Reason = DeniedInvalidAction
	case res.Owner != ue.client || res.Owner <= 0:
		d.Reason = DeniedNotOwner
	case ue.disabled || snap.clientDisabled(ue.client):
		d.Reason = DeniedDisabled
	case ue.first:
		d.Allowed, d.Reason = true, AllowedFirstUser
	default:
		for _, r := range ue.roles {
			re := snap.roles.get(r)
			if re != nil && re.client == ue.client && re.perms.get(ki.Section)&bit(a) != 0 {
				d.Roles = append(d.Roles, r)
			}
		}
		if len(d.Roles) > 0 {
			d.Allowed, d.Reason = true, AllowedByRole
		} else {
			d.Reason = DeniedNoRole
		}
	}
	if d.Allowed && s.eng.Stale() {
		d.Allowed, d.Reason, d.Roles = false, DeniedStale, nil
	}
	return d
}

func (s *snapshot) clientDisabled(c ClientID) bool {
	e := s.clients.get(c)
	return e != nil && e.disabled
}

// Permissions lists what client user u may do in its own account, in
// catalog order: every permission for an active first user, the union of
// its roles' otherwise, nothing when it or its client is disabled.
func (s *Service) Permissions(u ClientUserID) []Permission {
	snap := s.snap.Load()
	ue := snap.users.get(u)
	if ue == nil || ue.disabled || snap.clientDisabled(ue.client) {
		return nil
	}
	if ue.first {
		return s.catalog.Permissions()
	}
	union := rights{}
	for _, r := range ue.roles {
		if re := snap.roles.get(r); re != nil && re.client == ue.client {
			for _, s := range re.perms {
				union[s.sec] |= s.set
			}
		}
	}
	return rolePermissions(union, s.catalog.Sections())
}

// StaffDecision is the answer to a staff member's check on a client
// resource: the staff permission it needs (the kind's staff function and
// the action) and the staff decision explaining it.
type StaffDecision struct {
	Resource Resource
	Decision rbac.Decision // Allowed, with its sources or the departments that would grant it
	// UnknownKind is set when the kind is not in the catalog (denied).
	UnknownKind bool
}

// Allowed reports whether the staff member may act.
func (d StaffDecision) Allowed() bool { return d.Decision.Allowed }

// String explains the decision in one line.
func (d StaffDecision) String() string {
	if d.UnknownKind {
		return fmt.Sprintf("staff %s on %s: denied: unknown resource kind", d.Decision.Staff, d.Resource)
	}
	return d.Decision.String() + " (on " + d.Resource.String() + ")"
}

// StaffCan reports whether staff member id may perform a on res: staff act
// on any client's resource through their staff permissions, such as
// services:view or services:suspend. Ownership plays no part.
func (s *Service) StaffCan(id rbac.StaffID, a rbac.Action, res Resource) bool {
	ki, ok := s.catalog.Kind(res.Kind)
	return ok && s.staff.Can(id, rbac.Perm(ki.StaffFunction, a))
}

// ExplainStaff returns the decision for staff member id, a and res.
func (s *Service) ExplainStaff(id rbac.StaffID, a rbac.Action, res Resource) StaffDecision {
	ki, ok := s.catalog.Kind(res.Kind)
	if !ok {
		return StaffDecision{Resource: res, UnknownKind: true, Decision: rbac.Decision{Staff: id}}
	}
	return StaffDecision{Resource: res, Decision: s.staff.Explain(id, rbac.Perm(ki.StaffFunction, a))}
}

// ListFilter restricts a list of one resource kind to the rows an actor
// may view. The application applies it in its own query (store.ClientScope
// gives a GORM scope; Allows filters in memory), so a list never shows
// another client's rows.
type ListFilter struct {
	Kind ResourceKind
	// All: every client's rows (staff holding the kind's view permission).
	All bool
	// Owner: when All is false, only this client's rows; 0 means no row.
	Owner ClientID
}

// None reports whether the filter matches no row.
func (f ListFilter) None() bool { return !f.All && f.Owner <= 0 }

// Allows reports whether a row owned by owner passes the filter.
func (f ListFilter) Allows(owner ClientID) bool {
	return f.All || (f.Owner > 0 && owner == f.Owner)
}

// UserFilter returns the list filter of kind k for client user u: its own
// client's rows when it may view the kind's section, otherwise none.
func (s *Service) UserFilter(u ClientUserID, k ResourceKind) ListFilter {
	snap := s.snap.Load()
	f := ListFilter{Kind: k}
	ki, ok := s.catalog.Kind(k)
	if ue := snap.users.get(u); ok && ue != nil && snap.can(u, ki.Section, View, ue.client) && !s.eng.Stale() {
		f.Owner = ue.client
	}
	return f
}

// StaffFilter returns the list filter of kind k for staff member id: every
// client's rows when it holds the kind's view permission, otherwise none.
func (s *Service) StaffFilter(id rbac.StaffID, k ResourceKind) ListFilter {
	return ListFilter{Kind: k, All: s.StaffCan(id, rbac.ActView, Resource{Kind: k})}
}

func sortedRoles(ids []RoleID) []RoleID {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}
