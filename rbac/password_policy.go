package rbac

import (
	"fmt"

	"github.com/billingrbac/billingrbac/internal/password"
)

// PasswordPolicy says which passwords staff members may choose. The zero
// value is the safe default: at least 12 characters, at most 256 bytes, a
// zxcvbn strength score of at least 3 (an estimated 10¹⁰ guesses or more
// for an attacker trying common passwords, words, names, dates, repeats,
// sequences and keyboard walks first, with the account's login, e-mail
// and name among them), not one of the embedded common passwords, not
// containing the account's login, e-mail local part or a part of its full
// name. Passwords are compared as given: no Unicode normalization,
// case-sensitive except in the checks above.
type PasswordPolicy struct {
	// MinLength is the minimum length in characters; 0 means 12. It may
	// not be below 8.
	MinLength int
	// MaxBytes is the maximum length in bytes (bounding hashing work);
	// 0 means 256.
	MaxBytes int
	// MinScore is the lowest zxcvbn score accepted, 1 to 4; 0 means 3
	// (DefaultPasswordMinScore). The score is estimated on the first 24
	// characters.
	MinScore int
	// AllowWeak turns off the strength estimate.
	AllowWeak bool
	// AllowCommon turns off the common-password check.
	AllowCommon bool
	// AllowPersonal turns off the checks against the login, e-mail and
	// full name (and their use as guesses by the estimator).
	AllowPersonal bool
}

// Password policy defaults.
const (
	DefaultPasswordMinLength = password.DefaultMinLength
	DefaultPasswordMaxBytes  = password.DefaultMaxBytes
	DefaultPasswordMinScore  = password.DefaultScore
	maxPasswordMaxBytes      = password.MaxMaxBytes
)

func (p PasswordPolicy) internal() password.Policy {
	return password.Policy{MinLength: p.MinLength, MaxBytes: p.MaxBytes, MinScore: p.MinScore,
		AllowCommon: p.AllowCommon, AllowPersonal: p.AllowPersonal, AllowWeak: p.AllowWeak}
}

// Validate reports a policy that makes no sense (an error wrapping
// ErrInvalid).
func (p PasswordPolicy) Validate() error {
	var fe fieldErrors
	addViolations(&fe, "", "", p.internal().Validate())
	return fe.err("password policy")
}

// Check reports every rule password breaks as the password of account st
// (its Login, Email and FullName are used): a *ValidationError with field
// "password" and rules required, utf8, min_length, max_length, common,
// contains_login, contains_email, contains_name or strength (checked only
// when the others pass: it is the costly one, about a millisecond). It
// wraps ErrInvalid.
func (p PasswordPolicy) Check(password string, st Staff) error {
	var fe fieldErrors
	p.check(&fe, "password", password, st)
	return fe.err("check password")
}

func (p PasswordPolicy) check(fe *fieldErrors, field, pw string, st Staff) {
	addViolations(fe, field, "", p.internal().Check(pw, personal(st)))
}

func personal(st Staff) password.Personal {
	pd := password.Personal{Login: st.Login, Email: st.Email}
	for _, tag := range st.FullName.Languages() {
		pd.Names = append(pd.Names, st.FullName[tag])
	}
	return pd
}

// CharClass is a set of character classes for generated passwords.
type CharClass uint8

// Character classes. Look-alike characters (0 O 1 l I | ` ' ") are never
// generated.
const (
	ClassLower   = CharClass(password.ClassLower)   // a-z without l
	ClassUpper   = CharClass(password.ClassUpper)   // A-Z without I, O
	ClassDigits  = CharClass(password.ClassDigits)  // 2-9
	ClassSymbols = CharClass(password.ClassSymbols) // ! # $ % & * + - = ? @ ^ _ ~

	AllClasses = ClassLower | ClassUpper | ClassDigits | ClassSymbols
)

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
const DefaultGeneratedLength = password.DefaultGeneratedLength

// Generate returns a random password, drawn uniformly with crypto/rand
// from the chosen classes, that holds every chosen class and satisfies p
// as the password of st. Errors: ErrInvalid (options that cannot satisfy
// the policy).
func (p PasswordPolicy) Generate(opts GeneratorOptions, st Staff) (string, error) {
	if err := p.Validate(); err != nil {
		return "", fmt.Errorf("generate password: %w", err)
	}
	pw, vs, err := p.internal().Generate(opts.Length, uint8(opts.Classes), personal(st))
	if len(vs) > 0 {
		var fe fieldErrors
		addViolations(&fe, "", "", vs)
		return "", fe.err("generate password")
	}
	if err == password.ErrExhausted {
		return "", fmt.Errorf("generate password: %v: %w", err, ErrInvalid)
	}
	if err != nil {
		return "", fmt.Errorf("generate password: %w", err)
	}
	return pw, nil
}

// CommonPasswordCount returns how many passwords the embedded
// common-password list holds.
func CommonPasswordCount() int { return password.CommonCount() }
