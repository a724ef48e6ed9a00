package tasks_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac/tasks"
)

// render compiles body as an English (or tag's) message and renders it.
func render(t *testing.T, tag language.Tag, body string, args tasks.Args) string {
	t.Helper()
	c := tasks.NewCatalog()
	require.NoError(t, c.Add(tag, tasks.Translation{Messages: map[tasks.Key]tasks.Message{
		{Kind: "icu"}: {Title: "icu", Body: body}}}))
	txt, err := c.Render(tag, language.English, &tasks.Task{Kind: "icu", Args: args})
	require.NoError(t, err)
	return txt.Body
}

// TestICUConformance: the published examples of ICU's MessageFormat
// documentation (the ICU User Guide's "Formatting Messages" page and ICU4J's
// MessagePattern.ApostropheMode table), with named arguments, render as ICU
// renders them.
func TestICUConformance(t *testing.T) {
	en := language.English
	t.Run("apostrophes, DOUBLE_OPTIONAL", func(t *testing.T) {
		for pattern, want := range map[string]string{
			"I see '{many}'":          "I see {many}",
			"I said '{''Wow!''}'":     "I said {'Wow!'}",
			"This '{isn''t}' obvious": "This {isn't} obvious",
			"I don't know":            "I don't know",
			"I don''t know":           "I don't know",
			"'{'a'}'":                 "{a}",
			"a '}' b":                 "a } b",
			"ends in a quote '":       "ends in a quote '",
			"quoted to the end '{x":   "quoted to the end {x",
			"a # outside plural":      "a # outside plural",
		} {
			assert.Equal(t, want, render(t, en, pattern, nil), pattern)
		}
	})
	t.Run("gender and plural with offset (the User Guide's party example)", func(t *testing.T) {
		// As the User Guide writes it: whitespace between selectors is
		// syntax, whitespace inside a case is text.
		party := "{gender_of_host, select, " +
			"female {{num_guests, plural, offset:1 " +
			"=0 {{host} does not give a party.} " +
			"=1 {{host} invites {guest} to her party.} " +
			"=2 {{host} invites {guest} and one other person to her party.} " +
			"other {{host} invites {guest} and # other people to her party.}}} " +
			"male {{num_guests, plural, offset:1 " +
			"=0 {{host} does not give a party.} " +
			"=1 {{host} invites {guest} to his party.} " +
			"=2 {{host} invites {guest} and one other person to his party.} " +
			"other {{host} invites {guest} and # other people to his party.}}} " +
			"other {{num_guests, plural, offset:1 " +
			"=0 {{host} does not give a party.} " +
			"=1 {{host} invites {guest} to their party.} " +
			"=2 {{host} invites {guest} and one other person to their party.} " +
			"other {{host} invites {guest} and # other people to their party.}}}}"
		for _, c := range []struct {
			gender string
			guests int64
			want   string
		}{
			{"female", 0, "Ann does not give a party."},
			{"female", 1, "Ann invites Bob to her party."},
			{"male", 2, "Ann invites Bob and one other person to his party."},
			{"other", 10, "Ann invites Bob and 9 other people to their party."},
			{"unknown", 3, "Ann invites Bob and 2 other people to their party."},
		} {
			got := render(t, en, party, tasks.Args{"gender_of_host": tasks.String(c.gender),
				"num_guests": tasks.Int(c.guests), "host": tasks.String("Ann"), "guest": tasks.String("Bob")})
			assert.Equal(t, c.want, got)
		}
	})
	t.Run("plural: exact values, CLDR forms, # and offset", func(t *testing.T) {
		files := "There {n, plural, =0 {are no files} one {is one file} other {are # files}} on disk {disk}."
		for n, want := range map[int64]string{0: "There are no files on disk C.", 1: "There is one file on disk C.",
			1234: "There are 1,234 files on disk C."} {
			assert.Equal(t, want, render(t, en, files, tasks.Args{"n": tasks.Int(n), "disk": tasks.String("C")}))
		}
		ru := "{n, plural, one {# файл} few {# файла} many {# файлов} other {# файла}}"
		for n, want := range map[int64]string{1: "1 файл", 2: "2 файла", 5: "5 файлов", 21: "21 файл", 111: "111 файлов"} {
			assert.Equal(t, want, render(t, language.Russian, ru, tasks.Args{"n": tasks.Int(n)}))
		}
		assert.Equal(t, "1,5 файла", render(t, language.Russian, ru, tasks.Args{"n": tasks.Decimal(1.5, 1)}))
		assert.Equal(t, "# is 3", render(t, en, "{n, plural, other {'#' is #}}", tasks.Args{"n": tasks.Int(3)}))
	})
	t.Run("selectordinal", func(t *testing.T) {
		ord := "{n, selectordinal, one {#st} two {#nd} few {#rd} other {#th}}"
		for n, want := range map[int64]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th",
			13: "13th", 21: "21st", 22: "22nd", 23: "23rd", 101: "101st", 111: "111th"} {
			assert.Equal(t, want, render(t, en, ord, tasks.Args{"n": tasks.Int(n)}))
		}
	})
	t.Run("typed simple arguments", func(t *testing.T) {
		assert.Equal(t, "12,345", render(t, en, "{n, number}", tasks.Args{"n": tasks.Int(12345)}))
	})
}

// TestICUSyntaxErrors: what the subset leaves out is refused, with the
// byte offset, never rendered wrongly.
func TestICUSyntaxErrors(t *testing.T) {
	for _, bad := range []string{
		"{n, choice, 0#none|1#one}",              // choice: deprecated in ICU, not in the subset
		"{n, number, integer}",                   // argument styles
		"{0}",                                    // positional arguments
		"{n, plural, one {x}}",                   // no other
		"{n, select, a {x} a {y} other {z}}",     // a selector twice
		"{n, plural, offset:x other {#}}",        // bad offset
		"{n, selectordinal, offset:1 other {#}}", // offset only on plural
		"{g, select, other {x}",                  // unclosed
		"stray }",
	} {
		c := tasks.NewCatalog()
		err := c.Add(language.English, tasks.Translation{Messages: map[tasks.Key]tasks.Message{
			{Kind: "icu"}: {Title: "icu", Body: bad}}})
		assert.Error(t, err, bad)
	}
}
