package rbac

import (
	"crypto/rand"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// PasswordPolicy says which passwords staff members may choose. The zero
// value is the safe default: at least 12 characters, at most 256 bytes, not
// one of the embedded common passwords, not containing the account's login,
// e-mail local part or a part of its full name. Passwords are compared as
// given: no Unicode normalization, case-sensitive except in the checks above.
type PasswordPolicy struct {
	// MinLength is the minimum length in characters; 0 means 12. It may
	// not be below 8.
	MinLength int
	// MaxBytes is the maximum length in bytes (bounding hashing work);
	// 0 means 256.
	MaxBytes int
	// AllowCommon turns off the common-password check.
	AllowCommon bool
	// AllowPersonal turns off the checks against the login, e-mail and
	// full name.
	AllowPersonal bool
}

// Password policy defaults and limits.
const (
	DefaultPasswordMinLength = 12
	DefaultPasswordMaxBytes  = 256
	minPasswordMinLength     = 8
	maxPasswordMaxBytes      = 4096
	// personalMin is the shortest name part or e-mail local part a
	// password may not contain: shorter ones ("li", "jo") would refuse too
	// much.
	personalMin = 3
)

func (p PasswordPolicy) minLength() int {
	if p.MinLength == 0 {
		return DefaultPasswordMinLength
	}
	return p.MinLength
}

func (p PasswordPolicy) maxBytes() int {
	if p.MaxBytes == 0 {
		return DefaultPasswordMaxBytes
	}
	return p.MaxBytes
}

// Validate reports a policy that makes no sense (an error wrapping
// ErrInvalid).
func (p PasswordPolicy) Validate() error {
	var fe fieldErrors
	if p.MinLength != 0 && p.MinLength < minPasswordMinLength {
		fe.add("min_length", "min", "must be at least %d", minPasswordMinLength)
	}
	if p.MaxBytes < 0 || p.MaxBytes > maxPasswordMaxBytes {
		fe.add("max_bytes", "range", "must be at most %d", maxPasswordMaxBytes)
	}
	if p.minLength() > p.maxBytes() {
		fe.add("min_length", "range", "must not exceed max_bytes")
	}
	return fe.err("password policy")
}

// Check reports every rule password breaks as the password of account st
// (its Login, Email and FullName are used): a *ValidationError with field
// "password" and rules required, utf8, min_length, max_length, common,
// contains_login, contains_email or contains_name. It wraps ErrInvalid.
func (p PasswordPolicy) Check(password string, st Staff) error {
	var fe fieldErrors
	p.check(&fe, "password", password, st)
	return fe.err("check password")
}

func (p PasswordPolicy) check(fe *fieldErrors, field, password string, st Staff) {
	if password == "" {
		fe.add(field, "required", "must not be empty")
		return
	}
	if !utf8.ValidString(password) {
		fe.add(field, "utf8", "must be valid UTF-8")
		return
	}
	if n := utf8.RuneCountInString(password); n < p.minLength() {
		fe.add(field, "min_length", "must be at least %d characters", p.minLength())
	}
	if len(password) > p.maxBytes() {
		fe.add(field, "max_length", "must be at most %d bytes", p.maxBytes())
		return
	}
	lower := strings.ToLower(password)
	if !p.AllowCommon && isCommonPassword(lower) {
		fe.add(field, "common", "is too common: it is on a list of frequently used passwords")
	}
	if p.AllowPersonal {
		return
	}
	if login := strings.ToLower(st.Login); len(login) >= personalMin && strings.Contains(lower, login) {
		fe.add(field, "contains_login", "must not contain the login")
	}
	if at := strings.LastIndexByte(st.Email, '@'); at >= personalMin {
		if strings.Contains(lower, strings.ToLower(st.Email[:at])) {
			fe.add(field, "contains_email", "must not contain the e-mail address's local part")
		}
	}
	for _, tag := range st.FullName.Languages() {
		if part := namePartIn(lower, st.FullName[tag]); part != "" {
			fe.add(field, "contains_name", "must not contain a part of the full name")
			break
		}
	}
}

// namePartIn returns the first part of name (split at anything but letters
// and digits) of personalMin characters or more that lowerPW contains.
func namePartIn(lowerPW, name string) string {
	parts := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for _, part := range parts {
		if utf8.RuneCountInString(part) >= personalMin && strings.Contains(lowerPW, part) {
			return part
		}
	}
	return ""
}

// isCommonPassword reports whether lowerPW, or its core without leading
// and trailing digits and punctuation ("Password1234!" → "password"), is
// on the embedded list.
func isCommonPassword(lowerPW string) bool {
	set := commonPasswords()
	if _, ok := set[lowerPW]; ok {
		return true
	}
	core := strings.TrimFunc(lowerPW, func(r rune) bool { return !unicode.IsLetter(r) })
	if core != lowerPW && utf8.RuneCountInString(core) >= 4 {
		_, ok := set[core]
		return ok
	}
	return false
}

// CharClass is a set of character classes for generated passwords.
type CharClass uint8

// Character classes. Look-alike characters (0 O 1 l I | ` ' ") are never
// generated.
const (
	ClassLower   CharClass = 1 << iota // a-z without l
	ClassUpper                         // A-Z without I, O
	ClassDigits                        // 2-9
	ClassSymbols                       // ! # $ % & * + - = ? @ ^ _ ~

	AllClasses = ClassLower | ClassUpper | ClassDigits | ClassSymbols
)

var classChars = [...]string{
	"abcdefghijkmnopqrstuvwxyz",
	"ABCDEFGHJKLMNPQRSTUVWXYZ",
	"23456789",
	"!#$%&*+-=?@^_~",
}

// GeneratorOptions configures generated passwords. The zero value means 20
// characters from all classes.
type GeneratorOptions struct {
	// Length in characters; 0 means 20. It must fit the policy.
	Length int
	// Classes to draw from, each appearing at least once; 0 means
	// AllClasses.
	Classes CharClass
}

// DefaultGeneratedLength is the length of generated passwords when
// GeneratorOptions.Length is 0.
const DefaultGeneratedLength = 20

// maxGenerateTries bounds redraws; a draw that fails the policy is rare
// (it contains the login by chance), so this is never reached in practice.
const maxGenerateTries = 1000

// Generate returns a random password, drawn uniformly with crypto/rand
// from the chosen classes, that holds every chosen class and satisfies p
// as the password of st. Errors: ErrInvalid (options that cannot satisfy
// the policy).
func (p PasswordPolicy) Generate(opts GeneratorOptions, st Staff) (string, error) {
	n := opts.Length
	if n == 0 {
		n = DefaultGeneratedLength
	}
	classes := opts.Classes
	if classes == 0 {
		classes = AllClasses
	}
	var fe fieldErrors
	if err := p.Validate(); err != nil {
		return "", fmt.Errorf("generate password: %w", err)
	}
	if classes&^AllClasses != 0 {
		fe.add("classes", "enum", "unknown character class bits %#x", uint8(classes&^AllClasses))
	}
	if n < p.minLength() || n > p.maxBytes() {
		fe.add("length", "range", "must be %d to %d to satisfy the password policy", p.minLength(), p.maxBytes())
	}
	if err := fe.err("generate password"); err != nil {
		return "", err
	}
	var sets []string
	for i, chars := range classChars {
		if classes&(1<<i) != 0 {
			sets = append(sets, chars)
		}
	}
	all := strings.Join(sets, "")
	out := make([]byte, n)
	for range maxGenerateTries {
		for i := range out {
			j, err := randIndex(len(all))
			if err != nil {
				return "", fmt.Errorf("generate password: %w", err)
			}
			out[i] = all[j]
		}
		s := string(out)
		ok := true
		for _, set := range sets {
			ok = ok && strings.ContainsAny(s, set)
		}
		if ok && p.Check(s, st) == nil {
			return s, nil
		}
	}
	return "", fmt.Errorf("generate password: no draw of %d satisfied the policy: %w", maxGenerateTries, ErrInvalid)
}

// randIndex returns a uniform random integer in [0, n), n <= 256, by
// rejecting the bytes that would bias the modulo.
func randIndex(n int) (int, error) {
	limit := 256 - 256%n
	var b [1]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			return 0, err
		}
		if int(b[0]) < limit {
			return int(b[0]) % n, nil
		}
	}
}
