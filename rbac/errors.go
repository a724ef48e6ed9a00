package rbac

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Sentinel errors. Every error the package returns wraps exactly one of them;
// check with errors.Is. Detail travels in the struct errors below, which
// unwrap to these. The set only grows.
var (
	// ErrNotFound is returned when a staff member, department or other
	// record does not exist.
	ErrNotFound = errors.New("not found")

	// ErrConflict is returned when a change collides with existing data:
	// a duplicate login or department name, or a concurrent change.
	ErrConflict = errors.New("conflict")

	// ErrInvalid is returned for bad input. The error is a *ValidationError
	// naming every bad field and the rule it breaks.
	ErrInvalid = errors.New("invalid input")

	// ErrPermissionDenied is returned when the acting staff member may not
	// perform an administrative operation, and by Check when a permission is
	// missing. The change is not made.
	ErrPermissionDenied = errors.New("permission denied")

	// ErrInheritedPermission is returned when revoking from a staff member a
	// permission that they hold only through departments. The error is an
	// *InheritedError naming the departments.
	ErrInheritedPermission = errors.New("permission is inherited from a department")

	// ErrLastFullAccess is returned when a change would leave no active
	// staff member with full access. It also matches ErrPermissionDenied.
	ErrLastFullAccess = errors.New("last active full-access account")

	// ErrClosed is returned by operations on a closed Service.
	ErrClosed = errors.New("service is closed")

	// ErrBadCredentials is returned by Authenticate and ChangePassword
	// when the login is unknown, the account has no password or the
	// password is wrong: the same error, so a caller cannot tell which.
	ErrBadCredentials = errors.New("bad login or password")

	// ErrAccountDisabled is returned by Authenticate and ChangePassword
	// for a disabled account, and only after the correct password was
	// given.
	ErrAccountDisabled = errors.New("account is disabled")

	// ErrPasswordsDisabled is returned, under AccountOptions.SSOOnly, by
	// every call that would take, set or generate a password:
	// Authenticate, ChangePassword, ResetPassword, and CreateStaff or
	// Bootstrap given a password. Staff sign in by AuthenticateSubject.
	ErrPasswordsDisabled = errors.New("passwords are disabled: this installation signs staff in by single sign-on")
)

// FieldError is one bad input field: which field, which rule it breaks and
// a human-readable message.
type FieldError struct {
	Field   string // e.g. "login", "name[ru]", "permissions[2]"
	Rule    string // e.g. "required", "unique", "format", "max_length"
	Message string
}

func (e FieldError) String() string {
	return e.Field + ": " + e.Message + " (" + e.Rule + ")"
}

// ValidationError lists every bad field of one input at once. It unwraps
// to ErrInvalid.
type ValidationError struct {
	Op     string // the operation, e.g. "create staff"
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.String()
	}
	op := e.Op
	if op == "" {
		op = "validate"
	}
	return op + ": invalid input: " + strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Has reports whether field broke rule.
func (e *ValidationError) Has(field, rule string) bool {
	for _, f := range e.Fields {
		if f.Field == field && f.Rule == rule {
			return true
		}
	}
	return false
}

// fieldErrors accumulates FieldErrors; err returns nil when none were added.
type fieldErrors []FieldError

func (fe *fieldErrors) add(field, rule, format string, args ...any) {
	*fe = append(*fe, FieldError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

func (fe fieldErrors) err(op string) error {
	if len(fe) == 0 {
		return nil
	}
	return &ValidationError{Op: op, Fields: fe}
}

// InheritedError is returned when a permission cannot be revoked from a
// staff member because it comes from departments. It unwraps to
// ErrInheritedPermission.
type InheritedError struct {
	Staff       StaffID
	Permission  Permission
	Departments []DepartmentID
	// Login and DepartmentNames name them for people (Error uses them
	// when set; the IDs above stay the typed form).
	Login           string
	DepartmentNames []string
}

func (e *InheritedError) Error() string {
	who := "staff " + e.Staff.String()
	if e.Login != "" {
		who = e.Login
	}
	names := e.DepartmentNames
	if len(names) != len(e.Departments) {
		names = make([]string, len(e.Departments))
		for i, d := range e.Departments {
			names[i] = "department " + d.String()
		}
	}
	return fmt.Sprintf("revoke %s from %s: inherited from %s; remove it from the department or the staff member from the department",
		e.Permission, who, strings.Join(names, ", "))
}

// Unwrap makes errors.Is(err, ErrInheritedPermission) true.
func (e *InheritedError) Unwrap() error { return ErrInheritedPermission }

// DeniedError explains a refusal. It unwraps to ErrPermissionDenied and, for
// the last-full-access rule, to ErrLastFullAccess too.
type DeniedError struct {
	Op    string  // the refused operation
	Actor StaffID // who asked (0 for none)
	// Reason is why, in words, naming accounts by login and departments
	// by name (the typed fields keep the IDs); Code says it for programs.
	// It is empty on the error of a refused
	// Service.Check, whose explanation is built only when needed: Error
	// includes it, and Decision returns it as a Decision.
	Reason string
	// Missing is the permission the actor lacks, when one is the reason:
	// the permission the change would have given (or taken, for a stored
	// grant), or one the account it would have given control of holds.
	Missing Permission
	// Target is the staff member the change would have given Missing or
	// full access to, or whose control it would have granted (0 when the
	// refusal is about the actor alone).
	Target StaffID
	// Control is set when the refusal is about control of Target: the
	// change would have set its sign-in.
	Control bool
	// FullAccess is set when only a full-access actor may make the
	// change (Target gains or loses full access, or is a full-access
	// account).
	FullAccess bool
	last       bool
	code       DenialCode // set where the fields do not say it (see Code)
	check      *deniedCheck
}

func (e *DeniedError) Error() string {
	reason := e.Reason
	if e.check != nil && reason == "" {
		reason = e.check.decision().String()
	}
	return e.Op + ": permission denied: " + reason
}

// Decision returns, for the error of a refused Service.Check, the
// decision as Service.Explain gave it at the moment of the check (with
// the departments that would give the permission), and false for any
// other refusal.
func (e *DeniedError) Decision() (Decision, bool) {
	if e.check == nil {
		return Decision{}, false
	}
	d := *e.check.decision()
	d.Sources, d.WouldGrant = slices.Clone(d.Sources), slices.Clone(d.WouldGrant)
	return d, true
}

// Unwrap makes errors.Is(err, ErrPermissionDenied) true, and
// errors.Is(err, ErrLastFullAccess) for that rule.
func (e *DeniedError) Unwrap() []error {
	if e.last {
		return []error{ErrPermissionDenied, ErrLastFullAccess}
	}
	return []error{ErrPermissionDenied}
}
