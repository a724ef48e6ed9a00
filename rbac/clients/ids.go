package clients

import (
	"fmt"
	"strconv"

	"github.com/billingrbac/billingrbac/rbac"
)

// ClientID identifies a client account. IDs are assigned by the store and
// are always positive. A ClientID is never a staff ID: no staff API accepts
// one.
type ClientID int64

// ClientUserID identifies a user of a client account.
type ClientUserID int64

// RoleID identifies a role defined by one client account.
type RoleID int64

// String returns the decimal form of the ID.
func (id ClientID) String() string { return strconv.FormatInt(int64(id), 10) }

// String returns the decimal form of the ID.
func (id ClientUserID) String() string { return strconv.FormatInt(int64(id), 10) }

// String returns the decimal form of the ID.
func (id RoleID) String() string { return strconv.FormatInt(int64(id), 10) }

// ParseClientID parses the decimal form of a client ID. Errors wrap
// rbac.ErrInvalid.
func ParseClientID(s string) (ClientID, error) {
	n, err := parseID("client id", s)
	return ClientID(n), err
}

// ParseClientUserID parses the decimal form of a client user ID. Errors
// wrap rbac.ErrInvalid.
func ParseClientUserID(s string) (ClientUserID, error) {
	n, err := parseID("client user id", s)
	return ClientUserID(n), err
}

// ParseRoleID parses the decimal form of a role ID. Errors wrap
// rbac.ErrInvalid.
func ParseRoleID(s string) (RoleID, error) {
	n, err := parseID("role id", s)
	return RoleID(n), err
}

func parseID(what, s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != s {
		return 0, fmt.Errorf("parse %s %q: %w: want a positive decimal integer", what, s, rbac.ErrInvalid)
	}
	return n, nil
}
