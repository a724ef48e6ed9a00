package password

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
)

// Character classes of generated passwords (rbac.CharClass has the same
// bits). Look-alike characters (0 O 1 l I | ` ' ") are never generated.
const (
	ClassLower uint8 = 1 << iota
	ClassUpper
	ClassDigits
	ClassSymbols

	AllClasses = ClassLower | ClassUpper | ClassDigits | ClassSymbols
)

var classChars = [...]string{
	"abcdefghijkmnopqrstuvwxyz",
	"ABCDEFGHJKLMNPQRSTUVWXYZ",
	"23456789",
	"!#$%&*+-=?@^_~",
}

// DefaultGeneratedLength is the length of generated passwords when the
// length asked for is 0.
const DefaultGeneratedLength = 20

// maxGenerateTries bounds redraws; a draw that fails the policy is rare
// (it contains the login or a word by chance), so this is never reached in
// practice.
const maxGenerateTries = 1000

// ErrExhausted is returned when no draw satisfied the policy.
var ErrExhausted = errors.New("no generated password satisfied the policy")

// Generate returns a random password of n characters (0: the default),
// drawn uniformly with crypto/rand from the classes (0: all), holding
// every class and satisfying p for pd. Violations are returned for options
// that cannot satisfy p (fields "classes" and "length"); the error is the
// random source's or ErrExhausted.
func (p Policy) Generate(n int, classes uint8, pd Personal) (string, []Violation, error) {
	if n == 0 {
		n = DefaultGeneratedLength
	}
	if classes == 0 {
		classes = AllClasses
	}
	r := p.Resolved()
	var vs []Violation
	if classes&^AllClasses != 0 {
		vs = append(vs, Violation{"classes", "enum", fmt.Sprintf("unknown character class bits %#x", classes&^AllClasses)})
	}
	if n < r.MinLength || n > r.MaxBytes {
		vs = append(vs, Violation{"length", "range", fmt.Sprintf("must be %d to %d to satisfy the password policy", r.MinLength, r.MaxBytes)})
	}
	if len(vs) > 0 {
		return "", vs, nil
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
				return "", nil, err
			}
			out[i] = all[j]
		}
		s := string(out)
		ok := true
		for _, set := range sets {
			ok = ok && strings.ContainsAny(s, set)
		}
		if ok && len(p.Check(s, pd)) == 0 {
			return s, nil, nil
		}
	}
	return "", nil, ErrExhausted
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
