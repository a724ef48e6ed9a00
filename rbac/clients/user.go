package clients

import (
	"fmt"
	"time"

	"github.com/billingrbac/billingrbac/rbac"
)

// User is a user of a client account. Its rights are the union of its
// roles' permissions; the first user has every right. Roles and Status
// come from the policy.
type User struct {
	ID        ClientUserID
	Client    ClientID
	Login     string // lower case, unique within the client account
	Name      string
	Email     string
	First     bool     // the account's first user: every right, protected
	Roles     []RoleID // sorted
	Status    rbac.Status
	CreatedAt time.Time
	UpdatedAt time.Time
}

// NewUser is the input for creating a client user.
type NewUser struct {
	Login  string
	Name   string
	Email  string
	Roles  []RoleID // roles of the same client
	Status rbac.Status
}

// Validate normalizes the input and reports every bad field at once (an
// *rbac.ValidationError wrapping rbac.ErrInvalid).
func (in *NewUser) Validate() error {
	var fe fieldErrors
	in.normalize(&fe, "")
	return fe.err("create client user")
}

func (in *NewUser) normalize(fe *fieldErrors, prefix string) {
	in.Login = normalizeLogin(fe, prefix+"login", in.Login)
	in.Name = normalizeName(fe, prefix+"name", in.Name)
	in.Email = normalizeEmail(fe, prefix+"email", in.Email)
	checkStatus(fe, prefix+"status", in.Status)
	if len(in.Roles) > MaxRolesPerUser {
		fe.add(prefix+"roles", "max_count", "at most %d roles, not %d", MaxRolesPerUser, len(in.Roles))
		return
	}
	seen := map[RoleID]bool{}
	for i, r := range in.Roles {
		switch {
		case r <= 0:
			fe.add(fmt.Sprintf("%sroles[%d]", prefix, i), "format", "%d is not a valid role id", r)
		case seen[r]:
			fe.add(fmt.Sprintf("%sroles[%d]", prefix, i), "unique", "role %s is listed twice", r)
		}
		seen[r] = true
	}
}

// UserUpdate changes some fields of a client user; nil fields are left as
// they are. Roles change with AssignRole and UnassignRole.
type UserUpdate struct {
	Name   *string
	Email  *string
	Status *rbac.Status
}

// Validate normalizes the input and reports every bad field at once.
func (in *UserUpdate) Validate() error {
	var fe fieldErrors
	if in.Name != nil {
		*in.Name = normalizeName(&fe, "name", *in.Name)
	}
	if in.Email != nil {
		*in.Email = normalizeEmail(&fe, "email", *in.Email)
	}
	if in.Status != nil {
		checkStatus(&fe, "status", *in.Status)
	}
	return fe.err("update client user")
}
