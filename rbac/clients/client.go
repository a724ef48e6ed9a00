package clients

import (
	"net/mail"
	"strings"
	"time"

	"github.com/billingrbac/billingrbac/internal/display"
	"github.com/billingrbac/billingrbac/rbac"
)

const maxNameRunes = 128

// Client is a client account: it orders services and acts only on what it
// owns. FirstUser and Status come from the policy.
type Client struct {
	ID        ClientID
	Name      string
	Email     string
	FirstUser ClientUserID // the account's protected first user
	Status    rbac.Status  // a disabled client's users may do nothing

	CreatedAt time.Time
	UpdatedAt time.Time
}

// NewClient is the input for creating a client account with its first
// user.
type NewClient struct {
	Name      string
	Email     string
	Status    rbac.Status
	FirstUser NewUser // its Roles must be empty: the first user has every right
}

// Validate normalizes the input and reports every bad field at once (an
// *rbac.ValidationError wrapping rbac.ErrInvalid). First-user fields are
// named "first_user.login" and so on.
func (in *NewClient) Validate() error {
	var fe fieldErrors
	in.Name = normalizeName(&fe, "name", in.Name)
	in.Email = normalizeEmail(&fe, "email", in.Email)
	checkStatus(&fe, "status", in.Status)
	in.FirstUser.normalize(&fe, "first_user.")
	if len(in.FirstUser.Roles) > 0 {
		fe.add("first_user.roles", "empty", "the first user has every right and takes no roles")
	}
	if in.FirstUser.Status != rbac.StatusActive {
		fe.add("first_user.status", "enum", "the first user is created active")
	}
	return fe.err("create client")
}

// ClientUpdate changes some fields of a client account; nil fields are
// left as they are. Setting Status to rbac.StatusDisabled disables it.
type ClientUpdate struct {
	Name   *string
	Email  *string
	Status *rbac.Status
}

// Validate normalizes the input and reports every bad field at once.
func (in *ClientUpdate) Validate() error {
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
	return fe.err("update client")
}

func checkStatus(fe *fieldErrors, field string, s rbac.Status) {
	if s > rbac.StatusDisabled {
		fe.add(field, "enum", "must be active or disabled")
	}
}

// normalizeName trims a display name and checks it with the display-text
// rule every administrator-facing text follows (package internal/display):
// required, at most 128 characters, no control, format or bidirectional
// characters.
func normalizeName(fe *fieldErrors, field, s string) string {
	return normalizeText(fe, field, s, maxNameRunes)
}

// normalizeText trims s and applies the display-text rule.
func normalizeText(fe *fieldErrors, field, s string, maxRunes int) string {
	s = strings.TrimSpace(s)
	if rule, msg := display.Check(s, maxRunes); rule != "" {
		fe.add(field, rule, "%s", msg)
	}
	return s
}

// normalizeEmail accepts one bare address (or nothing) and lower-cases its
// domain.
func normalizeEmail(fe *fieldErrors, field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	a, err := mail.ParseAddress(s)
	at := strings.LastIndexByte(s, '@')
	if err != nil || a.Name != "" || a.Address != s || len(s) > 254 || at <= 0 || !strings.Contains(s[at+1:], ".") {
		fe.add(field, "format", "must be a single address like name@example.com")
		return s
	}
	return s[:at+1] + strings.ToLower(s[at+1:])
}

// normalizeLogin lower-cases a login and checks it: 3 to 64 characters,
// starting with a letter, then a-z, 0-9, '.', '_', '-' or '@'.
func normalizeLogin(fe *fieldErrors, field, s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "":
		fe.add(field, "required", "must not be empty")
		return s
	case len(s) < 3:
		fe.add(field, "min_length", "must be at least 3 characters")
	case len(s) > 64:
		fe.add(field, "max_length", "must be at most 64 characters")
	}
	if s[0] < 'a' || s[0] > 'z' {
		fe.add(field, "format", "must start with a letter a-z")
		return s
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == '@') {
			fe.add(field, "format", "may contain only a-z, 0-9, '.', '_', '-' and '@'")
			break
		}
	}
	return s
}
