package rbac

import (
	"net/mail"
	"strings"
	"time"
)

// Staff is a staff member: an employee who works the billing system.
// Departments, FullAccess and Status come from the policy.
type Staff struct {
	ID          StaffID
	Login       string // lower case, unique
	FullName    LocalizedText
	Email       string
	Phone       string
	Departments []DepartmentID // sorted
	FullAccess  bool
	Status      Status

	CreatedAt time.Time
	UpdatedAt time.Time
}

// NewStaff is the input for creating a staff member.
type NewStaff struct {
	Login       string
	FullName    LocalizedText
	Email       string
	Phone       string
	Departments []DepartmentID
	FullAccess  bool
	Status      Status
}

// Validate normalizes the input (login lower-cased, text trimmed) and
// reports every bad field at once (an error wrapping ErrInvalid).
func (in *NewStaff) Validate() error {
	var fe fieldErrors
	in.Login = normalizeLogin(&fe, in.Login)
	in.FullName = in.FullName.normalized(&fe, "full_name", maxNameRunes)
	in.Email = normalizeEmail(&fe, in.Email)
	in.Phone = normalizePhone(&fe, in.Phone)
	checkDepartmentIDs(&fe, in.Departments)
	if in.Status > StatusDisabled {
		fe.add("status", "enum", "must be active or disabled")
	}
	return fe.err("create staff")
}

// StaffUpdate changes some fields of a staff member; nil fields are left as
// they are. Departments are changed with AddToDepartment and
// RemoveFromDepartment, permissions with Grant and Revoke.
type StaffUpdate struct {
	Login      *string
	FullName   LocalizedText // nil: unchanged
	Email      *string
	Phone      *string
	FullAccess *bool
	Status     *Status
}

// Validate normalizes the input and reports every bad field at once.
func (in *StaffUpdate) Validate() error {
	var fe fieldErrors
	if in.Login != nil {
		*in.Login = normalizeLogin(&fe, *in.Login)
	}
	if in.FullName != nil {
		in.FullName = in.FullName.normalized(&fe, "full_name", maxNameRunes)
	}
	if in.Email != nil {
		*in.Email = normalizeEmail(&fe, *in.Email)
	}
	if in.Phone != nil {
		*in.Phone = normalizePhone(&fe, *in.Phone)
	}
	if in.Status != nil && *in.Status > StatusDisabled {
		fe.add("status", "enum", "must be active or disabled")
	}
	return fe.err("update staff")
}

// normalizeLogin lower-cases a login and checks it: 3 to 64 characters,
// starting with a letter, then a-z, 0-9, '.', '_' or '-'.
func normalizeLogin(fe *fieldErrors, s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "":
		fe.add("login", "required", "must not be empty")
		return s
	case len(s) < 3:
		fe.add("login", "min_length", "must be at least 3 characters")
	case len(s) > 64:
		fe.add("login", "max_length", "must be at most 64 characters")
	}
	if s[0] < 'a' || s[0] > 'z' {
		fe.add("login", "format", "must start with a letter a-z")
		return s
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			fe.add("login", "format", "may contain only a-z, 0-9, '.', '_' and '-'")
			break
		}
	}
	return s
}

// normalizeEmail accepts one bare address and lower-cases its domain. An
// empty e-mail is allowed.
func normalizeEmail(fe *fieldErrors, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || len(s) > 254 {
		fe.add("email", "format", "must be a single address like name@example.com, without a display name")
		return s
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || !strings.Contains(s[at+1:], ".") {
		fe.add("email", "format", "must be a single address like name@example.com")
		return s
	}
	return s[:at+1] + strings.ToLower(s[at+1:])
}

// normalizePhone keeps '+' and digits of a phone number. An empty phone is
// allowed.
func normalizePhone(fe *fieldErrors, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			fe.add("phone", "format", "may contain only digits, a leading '+', spaces, '-', '.', '(' and ')'")
			return s
		}
	}
	out := b.String()
	if n := len(strings.TrimPrefix(out, "+")); n < 5 || n > 15 {
		fe.add("phone", "format", "must have 5 to 15 digits")
	}
	return out
}

func checkDepartmentIDs(fe *fieldErrors, ids []DepartmentID) {
	seen := map[DepartmentID]bool{}
	for i, d := range ids {
		if d <= 0 {
			fe.add("departments", "format", "departments[%d] is not a valid department id", i)
		} else if seen[d] {
			fe.add("departments", "unique", "department %s is listed twice", d)
		}
		seen[d] = true
	}
}
