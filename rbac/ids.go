package rbac

import (
	"fmt"
	"strconv"
)

// StaffID identifies a staff member. IDs are assigned by the store and are
// always positive.
type StaffID int64

// DepartmentID identifies a department. IDs are assigned by the store and
// are always positive.
type DepartmentID int64

// String returns the decimal form of the ID.
func (id StaffID) String() string { return strconv.FormatInt(int64(id), 10) }

// String returns the decimal form of the ID.
func (id DepartmentID) String() string { return strconv.FormatInt(int64(id), 10) }

// ParseStaffID parses the decimal form of a staff ID. It returns an error
// wrapping ErrInvalid for anything but a positive integer.
func ParseStaffID(s string) (StaffID, error) {
	n, err := parseID(s)
	if err != nil {
		return 0, fmt.Errorf("parse staff id %q: %w", s, err)
	}
	return StaffID(n), nil
}

// ParseDepartmentID parses the decimal form of a department ID. It returns
// an error wrapping ErrInvalid for anything but a positive integer.
func ParseDepartmentID(s string) (DepartmentID, error) {
	n, err := parseID(s)
	if err != nil {
		return 0, fmt.Errorf("parse department id %q: %w", s, err)
	}
	return DepartmentID(n), nil
}

func parseID(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != s {
		return 0, fmt.Errorf("%w: want a positive decimal integer", ErrInvalid)
	}
	return n, nil
}
