package rbac

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// LocalizedText holds one text per language, such as a department's name
// or a staff member's full name. Keys are BCP 47 language tags.
type LocalizedText map[language.Tag]string

// Text returns a LocalizedText with a single entry.
func Text(tag language.Tag, s string) LocalizedText { return LocalizedText{tag: s} }

// In returns the text best matching the preferred languages, falling back
// to fallback and then to the first language in tag order. It returns ""
// only for an empty LocalizedText.
func (t LocalizedText) In(fallback language.Tag, preferred ...language.Tag) string {
	if len(t) == 0 {
		return ""
	}
	if len(preferred) > 0 {
		tags := t.Languages()
		m := language.NewMatcher(tags)
		_, i, conf := m.Match(preferred...)
		if conf > language.No {
			return t[tags[i]]
		}
	}
	if s, ok := t[fallback]; ok {
		return s
	}
	return t[t.Languages()[0]]
}

// Languages returns the languages present, sorted by tag string so the
// order is stable.
func (t LocalizedText) Languages() []language.Tag {
	tags := make([]language.Tag, 0, len(t))
	for tag := range t {
		tags = append(tags, tag)
	}
	slices.SortFunc(tags, func(a, b language.Tag) int { return strings.Compare(a.String(), b.String()) })
	return tags
}

// Clone returns an independent copy.
func (t LocalizedText) Clone() LocalizedText {
	if t == nil {
		return nil
	}
	c := make(LocalizedText, len(t))
	for k, v := range t {
		c[k] = v
	}
	return c
}

// normalized returns the text with every value trimmed, and records
// violations (empty, too long, bad language, control characters) as field
// errors named field[lang].
func (t LocalizedText) normalized(fe *fieldErrors, field string, maxLen int) LocalizedText {
	if len(t) == 0 {
		fe.add(field, "required", "at least one language is required")
		return nil
	}
	out := make(LocalizedText, len(t))
	for _, tag := range t.Languages() {
		name := fmt.Sprintf("%s[%s]", field, tag)
		if tag == language.Und {
			fe.add(name, "language", "the language must be a valid BCP 47 tag, not und")
			continue
		}
		v := strings.TrimSpace(t[tag])
		if msg := checkText(v, maxLen); msg != "" {
			fe.add(name, msgRule(msg), "%s", msg)
			continue
		}
		out[tag] = v
	}
	return out
}

// checkText returns why s is not acceptable free text, or "".
func checkText(s string, maxLen int) string {
	switch {
	case s == "":
		return "must not be empty"
	case !utf8.ValidString(s):
		return "must be valid UTF-8"
	case utf8.RuneCountInString(s) > maxLen:
		return fmt.Sprintf("must be at most %d characters", maxLen)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return "must not contain control or bidirectional override characters"
		}
	}
	return ""
}

func msgRule(msg string) string {
	switch {
	case strings.HasPrefix(msg, "must not be empty"):
		return "required"
	case strings.HasPrefix(msg, "must be at most"):
		return "max_length"
	case strings.HasPrefix(msg, "must be valid UTF-8"):
		return "utf8"
	}
	return "characters"
}
