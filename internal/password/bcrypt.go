package password

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// Bounds on the cost of a legacy bcrypt hash. Cost c means 2^c rounds of
// the key schedule: 10 (PHP's password_hash default) takes about 60 ms on
// one core; each step doubles it, so a stored hash at cost 31 (bcrypt's
// own maximum) would make one sign-in take days. ParseHash refuses
// anything above MaxBcryptCost.
const (
	MinBcryptCost = bcrypt.MinCost // 4
	MaxBcryptCost = 14
)

// Scheme is the algorithm of a stored hash.
type Scheme uint8

const (
	// Argon2id is the scheme billingrbac hashes with.
	Argon2id Scheme = iota + 1
	// Bcrypt is only verified, for hashes imported from other systems;
	// a successful sign-in re-hashes the password with Argon2id.
	Bcrypt
)

func (s Scheme) String() string {
	switch s {
	case Argon2id:
		return "argon2id"
	case Bcrypt:
		return "bcrypt"
	}
	return "Scheme(" + strconv.Itoa(int(s)) + ")"
}

// Hash is what ParseHash reads of a stored hash: its scheme and the
// parameters that decide what verifying it costs.
type Hash struct {
	Scheme Scheme
	Params Params // Argon2id's
	Cost   int    // bcrypt's, MinBcryptCost to MaxBcryptCost
}

// Work is the work of verifying h, see Work.
func (h Hash) Work() Work {
	if h.Scheme == Bcrypt {
		return Work{Bcrypt: 1 << h.Cost}
	}
	return Work{Argon: h.Params.Work()}
}

// Work is an amount of hashing work in two units that are never converted
// into each other: Argon2id KiB-passes and bcrypt key-schedule rounds.
// Their exchange rate depends on the machine, so equalizing two paths'
// work (see Pool.PadTo) pads each unit separately, which holds on any
// machine.
type Work struct {
	Argon  uint64 // KiB × passes
	Bcrypt uint64 // rounds: 2^cost per evaluation
}

// ParseHash reads a stored hash of either scheme: an Argon2id PHC string
// as Parse accepts it, or a bcrypt hash $2a$, $2b$ or $2y$ (the three
// spellings of the same algorithm by OpenBSD, PHP and others), two-digit
// cost MinBcryptCost to MaxBcryptCost, 53 characters of bcrypt's base64.
// It reads, it does not verify: no hashing work is done. Errors wrap
// ErrMalformed.
func ParseHash(s string) (Hash, error) {
	if strings.HasPrefix(s, "$2") {
		c, err := parseBcrypt(s)
		if err != nil {
			return Hash{}, err
		}
		return Hash{Scheme: Bcrypt, Cost: c}, nil
	}
	p, _, _, err := Parse(s)
	if err != nil {
		return Hash{}, err
	}
	return Hash{Scheme: Argon2id, Params: p}, nil
}

// parseBcrypt returns the cost of a bcrypt hash in the strict form
// ParseHash documents.
func parseBcrypt(s string) (int, error) {
	bad := func(why string) (int, error) { return 0, fmt.Errorf("bcrypt hash: %s: %w", why, ErrMalformed) }
	if len(s) != 60 {
		return bad("not 60 characters")
	}
	switch s[:4] {
	case "$2a$", "$2b$", "$2y$":
	default:
		return bad("unsupported version")
	}
	if s[6] != '$' || s[4] < '0' || s[4] > '9' || s[5] < '0' || s[5] > '9' {
		return bad("bad cost")
	}
	c := int(s[4]-'0')*10 + int(s[5]-'0')
	if c < MinBcryptCost || c > MaxBcryptCost {
		return bad(fmt.Sprintf("cost %d is outside %d to %d", c, MinBcryptCost, MaxBcryptCost))
	}
	for i := 7; i < len(s); i++ {
		if !isBcryptB64(s[i]) {
			return bad("bad salt or key")
		}
	}
	return c, nil
}

func isBcryptB64(b byte) bool {
	return b == '.' || b == '/' || 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9'
}

// bcryptVerify compares pw with a bcrypt hash ParseHash accepted, in
// constant time (x/crypto/bcrypt's comparison).
func bcryptVerify(pw, hash string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// bcryptWork spends one bcrypt evaluation at cost c, learning nothing: it
// verifies against a fixed hash of that cost (all-zero salt and key).
func bcryptWork(c int) {
	_ = bcrypt.CompareHashAndPassword([]byte(fmt.Sprintf("$2a$%02d$%s", c, strings.Repeat(".", 53))), nil)
}
