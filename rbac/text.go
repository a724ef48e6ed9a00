package rbac

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/display"
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

// MaxLanguages is the most languages a LocalizedText may hold: a billing
// panel is translated into a few dozen at most, and every read of a
// department or staff member carries them all.
const MaxLanguages = 32

// normalized returns the text with every value trimmed, and records
// violations (empty, too long, bad language, characters refused by the
// display-text rule) as field errors named field[lang]. More than
// MaxLanguages languages is one error (rule max_count) found before any
// value is read.
func (t LocalizedText) normalized(fe *fieldErrors, field string, maxLen int) LocalizedText {
	if len(t) == 0 {
		fe.add(field, "required", "at least one language is required")
		return nil
	}
	if len(t) > MaxLanguages {
		fe.add(field, "max_count", "at most %d languages, not %d", MaxLanguages, len(t))
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
		if rule, msg := display.Check(v, maxLen); rule != "" {
			fe.add(name, rule, "%s", msg)
			continue
		}
		out[tag] = v
	}
	return out
}
