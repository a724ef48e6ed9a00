package rbac

import (
	"context"
	"errors"
	"fmt"

	"github.com/billingrbac/billingrbac/internal/password"
)

// HashParams are Argon2id parameters. The defaults follow OWASP's password
// storage guidance (19 MiB, 2 passes, 1 lane). They are stored in every
// hash, so they can change later: a hash made with other parameters is
// re-made on the owner's next successful sign-in.
type HashParams struct {
	Memory  uint32 // KiB, at least 8 per thread
	Time    uint32 // passes, 1 to 100
	Threads uint8  // lanes, at least 1
	SaltLen uint32 // bytes, 8 to 64
	KeyLen  uint32 // bytes, 16 to 64
}

// DefaultHashParams returns the default Argon2id parameters: 19 MiB of
// memory, 2 passes, 1 lane, a 16-byte salt and a 32-byte key.
func DefaultHashParams() HashParams { return HashParams(password.Default()) }

// Validate reports every parameter out of range (an error wrapping
// ErrInvalid).
func (p HashParams) Validate() error {
	var fe fieldErrors
	p.check(&fe)
	return fe.err("hash parameters")
}

func (p HashParams) check(fe *fieldErrors) {
	addViolations(fe, "", "", password.Params(p).Check())
}

// addViolations records vs as field errors: a violation's field is
// prefix+its field, or field when it names none.
func addViolations(fe *fieldErrors, field, prefix string, vs []password.Violation) {
	for _, v := range vs {
		f := field
		if v.Field != "" {
			f = prefix + v.Field
		}
		fe.add(f, v.Rule, "%s", v.Message)
	}
}

// HashPassword hashes password with Argon2id and a fresh random salt, and
// returns the PHC string $argon2id$v=19$m=...,t=...,p=...$salt$key (salt
// and key in unpadded standard base64). It is for tools and tests: a
// Service hashes in its own bounded pool. Errors: ErrInvalid (parameters
// out of range).
func HashPassword(pw string, p HashParams) (string, error) {
	if err := p.Validate(); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	h, err := password.NewPool(1, password.Params(p)).Hash(context.Background(), pw, password.Params(p))
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// ParsePHC parses an Argon2id PHC string into its parameters (SaltLen and
// KeyLen taken from the salt and key), salt and key. It accepts exactly
// what HashPassword writes: version 19, parameters in the order m, t, p
// without leading zeros, canonical unpadded base64. Errors wrap ErrInvalid.
func ParsePHC(s string) (HashParams, []byte, []byte, error) {
	p, salt, key, err := password.Parse(s)
	if err != nil {
		return HashParams{}, nil, nil, phcError(err)
	}
	return HashParams(p), salt, key, nil
}

func phcError(err error) error {
	if errors.Is(err, password.ErrMalformed) {
		return fmt.Errorf("parse password hash: %v: %w", err, ErrInvalid)
	}
	return err
}

// VerifyPassword reports whether password matches the hash, comparing in
// constant time: an Argon2id PHC string ParsePHC accepts, or a legacy
// bcrypt hash ($2a$, $2b$, $2y$, cost 4 to 14). Errors: ErrInvalid (any
// other string).
func VerifyPassword(pw, hash string) (bool, error) {
	h, err := password.ParseHash(hash)
	if err != nil {
		return false, phcError(err)
	}
	ok, _, err := password.NewPool(1, h.Params).Verify(context.Background(), pw, hash)
	return ok, err
}

// NeedsRehash reports whether hash was made with parameters other than p
// (or is not a hash ParsePHC accepts, such as a legacy bcrypt hash), so
// that it should be re-made from the password at the next chance.
func NeedsRehash(hash string, p HashParams) bool {
	return password.NeedsRehash(hash, password.Params(p))
}

// GeneratePassword returns a random password of n characters (at least
// 16) from all character classes without look-alikes; it satisfies the
// default PasswordPolicy for an account without personal data. To satisfy
// a configured policy for a given account, use PasswordPolicy.Generate.
func GeneratePassword(n int) (string, error) {
	return PasswordPolicy{}.Generate(GeneratorOptions{Length: max(n, 16)}, Staff{})
}
