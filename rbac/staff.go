package rbac

import (
	"errors"
	"net/mail"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// Staff is a staff member: an employee who works the billing system.
// Departments, FullAccess and Status come from the policy.
type Staff struct {
	ID       StaffID
	Login    string // lower case, unique
	FullName LocalizedText
	Email    string
	Phone    string
	// Subject is the application's name for the account (its user ID,
	// an OIDC sub); "" means none. Unique; see ExternalSubject.
	Subject     ExternalSubject
	Departments []DepartmentID // sorted
	FullAccess  bool
	Status      Status

	CreatedAt time.Time
	UpdatedAt time.Time
}

// NewStaff is the input for creating a staff member.
type NewStaff struct {
	Login    string
	FullName LocalizedText
	Email    string
	Phone    string
	// Subject links the account to the application's identity (see
	// ExternalSubject); "" means none.
	Subject     ExternalSubject
	Departments []DepartmentID
	FullAccess  bool
	Status      Status
	// Password is the initial password, checked against the Service's
	// PasswordPolicy and stored only as a hash. Empty means none: the
	// account cannot sign in until ResetPassword gives it one.
	Password string
}

// Validate normalizes the input (login lower-cased, e-mail domain
// lower-cased, phone in E.164, text trimmed) and reports every bad field at
// once (an error wrapping ErrInvalid). Phone numbers must be international
// (+...) here; the Service also accepts national numbers of its
// AccountOptions.PhoneRegion. The password is checked by CreateStaff,
// which knows the policy.
func (in *NewStaff) Validate() error {
	var fe fieldErrors
	in.validate(&fe, "")
	return fe.err("create staff")
}

func (in *NewStaff) validate(fe *fieldErrors, region string) {
	in.Login = normalizeLogin(fe, in.Login)
	in.FullName = in.FullName.normalized(fe, "full_name", maxNameRunes)
	in.Email = normalizeEmail(fe, in.Email)
	in.Phone = normalizePhone(fe, in.Phone, region)
	checkSubject(fe, in.Subject)
	checkDepartmentIDs(fe, in.Departments)
	if in.Status > StatusDisabled {
		fe.add("status", "enum", "must be active or disabled")
	}
}

// StaffUpdate changes some fields of a staff member; nil fields are left as
// they are. Everything given changes in one change, so an edit screen's
// save is all or nothing.
type StaffUpdate struct {
	Login      *string
	FullName   LocalizedText // nil: unchanged
	Email      *string
	Phone      *string
	Subject    *ExternalSubject // "" removes it
	FullAccess *bool
	Status     *Status
	// Departments, when not nil, becomes the whole set of the staff
	// member's departments (empty: none), under the rules of
	// AddToDepartment and RemoveFromDepartment. A temporary membership of
	// a listed department keeps its window.
	Departments *[]DepartmentID
	// Grants, when not nil, becomes the whole set of direct grants
	// (empty: none), under the rules of Grant and Revoke; inherited
	// permissions are not touched. A temporary grant of a listed
	// permission keeps its window.
	Grants *[]Permission
}

// Validate normalizes the input and reports every bad field at once, as
// NewStaff.Validate does.
func (in *StaffUpdate) Validate() error {
	var fe fieldErrors
	in.validate(&fe, "")
	return fe.err("update staff")
}

func (in *StaffUpdate) validate(fe *fieldErrors, region string) {
	if in.Login != nil {
		*in.Login = normalizeLogin(fe, *in.Login)
	}
	if in.FullName != nil {
		in.FullName = in.FullName.normalized(fe, "full_name", maxNameRunes)
	}
	if in.Email != nil {
		*in.Email = normalizeEmail(fe, *in.Email)
	}
	if in.Phone != nil {
		*in.Phone = normalizePhone(fe, *in.Phone, region)
	}
	if in.Departments != nil {
		checkDepartmentIDs(fe, *in.Departments)
	}
	if in.Subject != nil {
		checkSubject(fe, *in.Subject)
	}
	if in.Status != nil && *in.Status > StatusDisabled {
		fe.add("status", "enum", "must be active or disabled")
	}
}

// normalizeLogin lower-cases a login and checks it: 3 to 64 characters,
// starting with a letter, then a-z, 0-9, '.', '_' or '-'. Only ASCII is
// lower-cased, so no other script folds into a login (the Kelvin sign
// would become 'k').
func normalizeLogin(fe *fieldErrors, s string) string {
	s = asciiLower(strings.TrimSpace(s))
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

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// maxPhoneInput bounds what is handed to the phone parser.
const maxPhoneInput = 64

// normalizePhone parses a phone number with libphonenumber's rules and
// returns it in E.164 (+14155552671). A number without a leading '+' is
// read as a national number of region (a CLDR region code such as "US");
// with region "" it must be international. An empty phone is allowed.
func normalizePhone(fe *fieldErrors, s, region string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if len(s) > maxPhoneInput {
		fe.add("phone", "max_length", "must be at most %d characters", maxPhoneInput)
		return s
	}
	if region == "" && !strings.HasPrefix(s, "+") {
		fe.add("phone", "format", "must be in international format, starting with '+' and the country code")
		return s
	}
	num, err := phonenumbers.Parse(s, region)
	if err != nil {
		fe.add("phone", "format", "is not a phone number: %v", err)
		return s
	}
	if !phonenumbers.IsValidNumber(num) {
		fe.add("phone", "invalid", "is not a valid number for its country")
		return s
	}
	e164 := phonenumbers.Format(num, phonenumbers.E164)
	if len(e164) > 16 { // '+' and at most 15 digits
		fe.add("phone", "invalid", "has more digits than E.164 allows")
		return s
	}
	return e164
}

// uniqueError is a *ValidationError of "unique" rules; it matches
// ErrConflict as well as ErrInvalid.
type uniqueError struct{ *ValidationError }

func (e *uniqueError) Unwrap() []error { return []error{e.ValidationError, ErrConflict} }

// checkUnique reports, as one error, a login, an e-mail and an external
// subject already used by another staff member than self (e-mails
// compared case-insensitively). Empty values are not checked. Without an
// AccountTx (SubjectTx) the store's unique indexes still answer with
// ErrConflict.
func (w *txn) checkUnique(op string, self StaffID, login, email string, subject ExternalSubject) error {
	var fe fieldErrors
	if st, ok := w.raw.(SubjectTx); ok && subject != "" {
		id, err := st.StaffIDBySubject(subject)
		switch {
		case err == nil && id != self:
			fe.add("subject", "unique", "is already linked to another staff member")
		case err != nil && !errors.Is(err, ErrNotFound):
			return err
		}
	}
	at, ok := w.raw.(AccountTx)
	if !ok {
		login, email = "", ""
	}
	if login != "" {
		id, err := at.StaffIDByLogin(login)
		switch {
		case err == nil && id != self:
			fe.add("login", "unique", "is already taken")
		case err != nil && !errors.Is(err, ErrNotFound):
			return err
		}
	}
	if email != "" {
		id, err := at.StaffIDByEmail(email)
		switch {
		case err == nil && id != self:
			fe.add("email", "unique", "is already used by another staff member")
		case err != nil && !errors.Is(err, ErrNotFound):
			return err
		}
	}
	if len(fe) == 0 {
		return nil
	}
	return &uniqueError{&ValidationError{Op: op, Fields: fe}}
}

func checkDepartmentIDs(fe *fieldErrors, ids []DepartmentID) {
	if len(ids) > MaxDepartmentsPerStaff {
		fe.add("departments", "max_count", "at most %d departments, not %d", MaxDepartmentsPerStaff, len(ids))
		return
	}
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
