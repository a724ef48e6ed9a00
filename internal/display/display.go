// Package display holds the one rule for every text billingrbac shows to an
// administrator: staff and department names, client, client-user, role and
// schedule names, change reasons. Such a text is read by a person deciding
// what to allow, so it must render as what it is: valid UTF-8, bounded, and
// free of characters that are invisible or reorder what is around them.
//
// Refused: C0 and C1 controls (tab and newline included), the line and
// paragraph separators U+2028 and U+2029, noncharacters, and every format
// character (Unicode category Cf: the bidirectional embeddings, overrides,
// isolates and marks such as U+202E and U+200F, zero-width space U+200B,
// word joiner, soft hyphen, byte-order mark, the invisible math operators,
// tag characters) except the zero-width non-joiner and joiner U+200C and
// U+200D, which Persian, Indic scripts and emoji sequences need to be
// spelled correctly.
package display

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Rules reported by Check, used as the Rule of the callers' field errors.
const (
	RuleRequired   = "required"
	RuleUTF8       = "utf8"
	RuleMaxLength  = "max_length"
	RuleCharacters = "characters"
)

// Check reports why s is not an acceptable display text of at most
// maxRunes characters, as a rule and a message, or ("", "") when it is.
// An empty s breaks RuleRequired; callers of optional texts skip it. The
// cost is bounded by maxRunes whatever len(s): a text longer than
// utf8.UTFMax×maxRunes bytes is refused before it is read.
func Check(s string, maxRunes int) (rule, msg string) {
	switch {
	case s == "":
		return RuleRequired, "must not be empty"
	case len(s) > utf8.UTFMax*maxRunes:
		return RuleMaxLength, fmt.Sprintf("must be at most %d characters", maxRunes)
	case !utf8.ValidString(s):
		return RuleUTF8, "must be valid UTF-8"
	case utf8.RuneCountInString(s) > maxRunes:
		return RuleMaxLength, fmt.Sprintf("must be at most %d characters", maxRunes)
	}
	for _, r := range s {
		if Refused(r) {
			return RuleCharacters, fmt.Sprintf("must not contain control, format or bidirectional characters (found %U)", r)
		}
	}
	return "", ""
}

// Refused reports whether r may not appear in a display text.
func Refused(r rune) bool {
	switch {
	case r < 0x20 || r >= 0x7f && r < 0xa0:
		return true // C0, DEL, C1
	case r < 0xa0:
		return false // printable ASCII: the common case, no table lookup
	case r == 0x200c || r == 0x200d:
		return false // ZWNJ and ZWJ: needed to spell Persian, Indic scripts, emoji
	case r == 0x2028 || r == 0x2029:
		return true // line and paragraph separators
	case r >= 0xfdd0 && r <= 0xfdef || r&0xfffe == 0xfffe:
		return true // noncharacters
	}
	return unicode.Is(unicode.Cf, r)
}
