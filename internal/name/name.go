// Package name holds the one syntax rule shared by every vocabulary name of
// billingrbac (functions, actions, client sections, resource kinds): they
// travel in Casbin rule fields, so they are short lower-case ASCII without
// separators.
package name

import "fmt"

// MaxLen is the longest name allowed. Two names and a prefixed subject fit
// in a rule's 100-character field with room to spare.
const MaxLen = 32

// Check reports why s is not a valid name, as a rule and a message, or
// ("", "") when it is: a letter a-z, then up to MaxLen-1 of a-z, 0-9, '_'
// and '-'.
func Check(s string) (rule, msg string) {
	switch {
	case s == "":
		return "required", "must not be empty"
	case len(s) > MaxLen:
		return "max_length", fmt.Sprintf("must be at most %d characters", MaxLen)
	case s[0] < 'a' || s[0] > 'z':
		return "format", "must start with a lower-case letter a-z"
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return "format", "may contain only a-z, 0-9, '_' and '-'"
		}
	}
	return "", ""
}
