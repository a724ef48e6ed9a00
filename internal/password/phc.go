package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// ErrMalformed is returned for a string that is not a PHC hash Parse
// accepts.
var ErrMalformed = errors.New("malformed password hash")

var b64 = base64.RawStdEncoding.Strict()

// key runs Argon2id: the one place billingrbac evaluates it.
func key(pw string, salt []byte, p Params) []byte {
	return argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

// hash hashes pw at p with a fresh salt into a PHC string. p must be
// valid.
func hash(pw string, p Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	return Format(p, salt, key(pw, salt, p)), nil
}

// Format writes the PHC string $argon2id$v=19$m=...,t=...,p=...$salt$key
// (salt and key in unpadded standard base64).
func Format(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Parse parses an Argon2id PHC string into its parameters (SaltLen and
// KeyLen taken from the salt and key), salt and key. It accepts exactly
// what Format writes: version 19, parameters in the order m, t, p without
// leading zeros, canonical unpadded base64, parameters in range. Errors
// wrap ErrMalformed.
func Parse(s string) (Params, []byte, []byte, error) {
	bad := func(why string) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("%s: %w", why, ErrMalformed)
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
	p := Params{Memory: vals[0], Time: vals[1], Threads: uint8(vals[2])}
	salt, err := decodeB64(parts[4])
	if err != nil {
		return bad("bad salt")
	}
	k, err := decodeB64(parts[5])
	if err != nil {
		return bad("bad key")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(k))
	if len(p.Check()) > 0 {
		return bad("parameters out of range")
	}
	return p, salt, k, nil
}

// decodeB64 decodes canonical unpadded base64, refusing the line breaks
// the decoder would otherwise skip.
func decodeB64(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, ErrMalformed
	}
	return b64.DecodeString(s)
}

// verify evaluates pw against a parsed hash, comparing in constant time.
func verify(pw string, p Params, salt, want []byte) bool {
	return subtle.ConstantTimeCompare(key(pw, salt, p), want) == 1
}

// NeedsRehash reports whether phc was made with parameters other than p
// (or is not a hash Parse accepts).
func NeedsRehash(phc string, p Params) bool {
	got, _, _, err := Parse(phc)
	return err != nil || got != p
}
