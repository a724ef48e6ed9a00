package clients

import "github.com/billingrbac/billingrbac/rbac"

// Actor is who makes an administrative change in a client account: a
// staff member (needing staff permissions such as clients:edit) or a user
// of the client (only its first user administers it). Exactly one field is
// set.
type Actor struct {
	Staff rbac.StaffID
	User  ClientUserID
}

// ByStaff returns the actor for a staff member.
func ByStaff(id rbac.StaffID) Actor { return Actor{Staff: id} }

// ByUser returns the actor for a client user.
func ByUser(id ClientUserID) Actor { return Actor{User: id} }

// String returns "staff:ID" or "cuser:ID".
func (a Actor) String() string {
	if a.User != 0 {
		return "cuser:" + a.User.String()
	}
	return "staff:" + a.Staff.String()
}

func (a Actor) valid() bool { return (a.Staff > 0) != (a.User > 0) && a.Staff >= 0 && a.User >= 0 }
