package password

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Policy is rbac.PasswordPolicy's rules; the zero value is the default.
type Policy struct {
	MinLength     int // characters; 0 means DefaultMinLength
	MaxBytes      int // 0 means DefaultMaxBytes
	MinScore      int // zxcvbn score; 0 means DefaultScore
	AllowCommon   bool
	AllowPersonal bool
	AllowWeak     bool
}

// Policy defaults and limits.
const (
	DefaultMinLength = 12
	DefaultMaxBytes  = 256
	MinMinLength     = 8
	MaxMaxBytes      = 4096
	// personalMin is the shortest name part or e-mail local part a
	// password may not contain: shorter ones ("li", "jo") would refuse too
	// much.
	personalMin = 3
)

// Personal is what a password may not be made of: the account's login,
// e-mail and the texts of its full name.
type Personal struct {
	Login, Email string
	Names        []string
}

// Resolved returns p with its zero fields replaced by the defaults.
func (p Policy) Resolved() Policy {
	if p.MinLength == 0 {
		p.MinLength = DefaultMinLength
	}
	if p.MaxBytes == 0 {
		p.MaxBytes = DefaultMaxBytes
	}
	if p.MinScore == 0 {
		p.MinScore = DefaultScore
	}
	return p
}

// Validate returns what makes no sense in p.
func (p Policy) Validate() []Violation {
	var out []Violation
	r := p.Resolved()
	if p.MinLength != 0 && p.MinLength < MinMinLength {
		out = append(out, Violation{"min_length", "min", fmt.Sprintf("must be at least %d", MinMinLength)})
	}
	if p.MaxBytes < 0 || p.MaxBytes > MaxMaxBytes {
		out = append(out, Violation{"max_bytes", "range", fmt.Sprintf("must be at most %d", MaxMaxBytes)})
	}
	if r.MinLength > r.MaxBytes {
		out = append(out, Violation{"min_length", "range", "must not exceed max_bytes"})
	}
	if p.MinScore < 0 || p.MinScore > MaxScore || p.MinScore != 0 && p.MinScore < MinScore {
		out = append(out, Violation{"min_score", "range", fmt.Sprintf("must be %d to %d", MinScore, MaxScore)})
	}
	return out
}

// Check returns every rule pw breaks as the password of an account with
// personal data pd, cheapest first; the strength estimate runs only on a
// password that passed the others (rules required, utf8, min_length,
// max_length, common, contains_login, contains_email, contains_name,
// strength). Field is "" in every Violation.
func (p Policy) Check(pw string, pd Personal) []Violation {
	p = p.Resolved()
	var out []Violation
	add := func(rule, format string, args ...any) {
		out = append(out, Violation{"", rule, fmt.Sprintf(format, args...)})
	}
	if pw == "" {
		add("required", "must not be empty")
		return out
	}
	if len(pw) > p.MaxBytes {
		add("max_length", "must be at most %d bytes", p.MaxBytes)
		return out
	}
	if !utf8.ValidString(pw) {
		add("utf8", "must be valid UTF-8")
		return out
	}
	if utf8.RuneCountInString(pw) < p.MinLength {
		add("min_length", "must be at least %d characters", p.MinLength)
	}
	lower := strings.ToLower(pw)
	if !p.AllowCommon && isCommon(lower) {
		add("common", "is too common: it is on a list of frequently used passwords")
	}
	var inputs []string
	if !p.AllowPersonal {
		login := strings.ToLower(pd.Login)
		if len(login) >= personalMin {
			inputs = append(inputs, login)
			if strings.Contains(lower, login) {
				add("contains_login", "must not contain the login")
			}
		}
		if at := strings.LastIndexByte(pd.Email, '@'); at >= personalMin {
			local := strings.ToLower(pd.Email[:at])
			inputs = append(inputs, local)
			if strings.Contains(lower, local) {
				add("contains_email", "must not contain the e-mail address's local part")
			}
		}
		found := false
		for _, name := range pd.Names {
			for _, part := range nameParts(name) {
				inputs = append(inputs, part)
				if !found && strings.Contains(lower, part) {
					add("contains_name", "must not contain a part of the full name")
					found = true
				}
			}
		}
	}
	if len(out) == 0 && !p.AllowWeak && Score(pw, inputs) < p.MinScore {
		add("strength", "is too easy to guess: avoid repeated characters, sequences such as 1234 or abcd, keyboard rows, dates, names and common words, or make it longer")
	}
	return out
}

// nameParts returns the parts of name (split at anything but letters and
// digits) of personalMin characters or more, lower-cased.
func nameParts(name string) []string {
	parts := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	out := parts[:0]
	for _, part := range parts {
		if utf8.RuneCountInString(part) >= personalMin {
			out = append(out, part)
		}
	}
	return out
}
