package rbac

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// HashParams are Argon2id parameters. The defaults follow OWASP's password
// storage guidance (19 MiB, 2 passes, 1 lane) or exceed it.
type HashParams struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultHashParams returns the default Argon2id parameters.
func DefaultHashParams() HashParams {
	return HashParams{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// HashPassword hashes password with Argon2id and a random salt, and returns
// the PHC string: $argon2id$v=19$m=...,t=...,p=...$salt$hash.
func HashPassword(password string, p HashParams) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ParsePHC parses an Argon2id PHC string into its parameters, salt and key.
// Errors wrap ErrInvalid.
func ParsePHC(s string) (HashParams, []byte, []byte, error) {
	bad := func(why string) (HashParams, []byte, []byte, error) {
		return HashParams{}, nil, nil, fmt.Errorf("parse password hash: %s: %w", why, ErrInvalid)
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return bad("not an argon2id PHC string")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return bad("unsupported version")
	}
	var p HashParams
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil || n != 3 ||
		fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, p.Threads) != parts[3] {
		return bad("bad parameters")
	}
	if p.Memory < 8*uint32(p.Threads) || p.Memory > 4<<20 || p.Time == 0 || p.Time > 100 || p.Threads == 0 {
		return bad("parameters out of range")
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 || len(salt) > 64 {
		return bad("bad salt")
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return bad("bad key")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// VerifyPassword reports whether password matches the PHC hash, in time
// independent of where they differ.
func VerifyPassword(password, hash string) (bool, error) {
	p, salt, key, err := ParsePHC(hash)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// lookAlike are characters generated passwords leave out.
const lookAlike = "0O1lI|`'\""

// GeneratePassword returns a random password of n characters (at least 16)
// drawn with crypto/rand from letters, digits and symbols without look-alike
// characters, holding at least one of each class.
func GeneratePassword(n int) (string, error) {
	n = max(n, 16)
	classes := []string{"abcdefghijkmnopqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", "!#$%&*+-=?@^_~"}
	all := strings.Join(classes, "")
	for {
		buf := make([]byte, n)
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("generate password: %w", err)
		}
		out := make([]byte, n)
		for i, b := range buf {
			// 256 is not a multiple of len(all): reject the biased tail.
			for int(b) >= 256-256%len(all) {
				var one [1]byte
				if _, err := rand.Read(one[:]); err != nil {
					return "", fmt.Errorf("generate password: %w", err)
				}
				b = one[0]
			}
			out[i] = all[int(b)%len(all)]
		}
		s := string(out)
		ok := true
		for _, c := range classes {
			ok = ok && strings.ContainsAny(s, c)
		}
		if ok {
			return s, nil
		}
	}
}
