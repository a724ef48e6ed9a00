package rbac

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
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
func DefaultHashParams() HashParams {
	return HashParams{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Limits on HashParams. The memory cap bounds what a tampered stored hash
// can make a verification allocate.
const (
	maxHashMemory = 4 << 20 // KiB: 4 GiB
	maxHashTime   = 100
)

// Validate reports every parameter out of range (an error wrapping
// ErrInvalid).
func (p HashParams) Validate() error {
	var fe fieldErrors
	p.check(&fe)
	return fe.err("hash parameters")
}

func (p HashParams) check(fe *fieldErrors) {
	if p.Threads == 0 {
		fe.add("threads", "min", "must be at least 1")
	}
	if p.Memory < 8*uint32(max(p.Threads, 1)) || p.Memory > maxHashMemory {
		fe.add("memory", "range", "must be 8 KiB per thread to %d KiB", maxHashMemory)
	}
	if p.Time == 0 || p.Time > maxHashTime {
		fe.add("time", "range", "must be 1 to %d passes", maxHashTime)
	}
	if p.SaltLen < 8 || p.SaltLen > 64 {
		fe.add("salt_len", "range", "must be 8 to 64 bytes")
	}
	if p.KeyLen < 16 || p.KeyLen > 64 {
		fe.add("key_len", "range", "must be 16 to 64 bytes")
	}
}

// HashPassword hashes password with Argon2id and a fresh random salt, and
// returns the PHC string $argon2id$v=19$m=...,t=...,p=...$salt$key (salt
// and key in unpadded standard base64). Errors: ErrInvalid (parameters out
// of range).
func HashPassword(password string, p HashParams) (string, error) {
	if err := p.Validate(); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return formatPHC(p, salt, key), nil
}

var b64 = base64.RawStdEncoding.Strict()

func formatPHC(p HashParams, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// ParsePHC parses an Argon2id PHC string into its parameters (SaltLen and
// KeyLen taken from the salt and key), salt and key. It accepts exactly
// what HashPassword writes: version 19, parameters in the order m, t, p
// without leading zeros, canonical unpadded base64. Errors wrap ErrInvalid.
func ParsePHC(s string) (HashParams, []byte, []byte, error) {
	bad := func(why string) (HashParams, []byte, []byte, error) {
		return HashParams{}, nil, nil, fmt.Errorf("parse password hash: %s: %w", why, ErrInvalid)
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return bad("not an argon2id PHC string")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("unsupported version")
	}
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return bad("bad parameters")
	}
	var vals [3]uint32
	for i, name := range []string{"m=", "t=", "p="} {
		v, ok := strings.CutPrefix(kv[i], name)
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil || strconv.FormatUint(n, 10) != v {
			return bad("bad parameters")
		}
		vals[i] = uint32(n)
	}
	if vals[2] > 255 {
		return bad("parameters out of range")
	}
	p := HashParams{Memory: vals[0], Time: vals[1], Threads: uint8(vals[2])}
	salt, err := decodeB64(parts[4])
	if err != nil {
		return bad("bad salt")
	}
	key, err := decodeB64(parts[5])
	if err != nil {
		return bad("bad key")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if p.Validate() != nil {
		return bad("parameters out of range")
	}
	return p, salt, key, nil
}

// decodeB64 decodes canonical unpadded base64, refusing the line breaks
// the decoder would otherwise skip.
func decodeB64(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, ErrInvalid
	}
	return b64.DecodeString(s)
}

// VerifyPassword reports whether password matches the PHC hash, comparing
// in constant time. Errors: ErrInvalid (not a hash ParsePHC accepts).
func VerifyPassword(password, hash string) (bool, error) {
	p, salt, key, err := ParsePHC(hash)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether hash was made with parameters other than p
// (or is not a hash ParsePHC accepts), so that it should be re-made from
// the password at the next chance.
func NeedsRehash(hash string, p HashParams) bool {
	got, _, _, err := ParsePHC(hash)
	return err != nil || got != p
}

// GeneratePassword returns a random password of n characters (at least
// 16) from all character classes without look-alikes; it satisfies the
// default PasswordPolicy for an account without personal data. To satisfy
// a configured policy for a given account, use PasswordPolicy.Generate.
func GeneratePassword(n int) (string, error) {
	return PasswordPolicy{}.Generate(GeneratorOptions{Length: max(n, 16)}, Staff{})
}
