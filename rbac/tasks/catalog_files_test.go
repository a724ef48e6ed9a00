package tasks_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/tasks"
)

// The built-in catalogs are files a translator's tool can round-trip:
// exporting a built-in language gives back its embedded file byte for
// byte, and loading an export into another catalog renders the same.
func TestBuiltinCatalogsRoundTrip(t *testing.T) {
	c := tasks.NewCatalog()
	for _, tag := range []language.Tag{language.English, language.Russian} {
		b, err := c.ExportARB(tag)
		require.NoError(t, err)
		file, err := os.ReadFile(filepath.Join("messages", tag.String()+".arb"))
		require.NoError(t, err)
		assert.Equal(t, string(file), string(b), "export of %s differs from its embedded file", tag)
	}
	// Russian's file loaded as a new language renders like Russian.
	ru, err := c.ExportARB(language.Russian)
	require.NoError(t, err)
	be := strings.Replace(string(ru), `"@@locale": "ru"`, `"@@locale": "be"`, 1)
	require.NoError(t, c.LoadFS(fstest.MapFS{"be.arb": {Data: []byte(be)}}, "*.arb"))
	task := &tasks.Task{Kind: tasks.KindFailed, Operation: tasks.OpSuspend,
		Args: tasks.Args{"service": tasks.String("vps-1"), "product_type": tasks.String("VPS"),
			"client": tasks.String("Acme"), "attempts": tasks.Int(3), "error": tasks.String("timeout")}}
	want, err := c.Render(language.Russian, language.English, task)
	require.NoError(t, err)
	got, err := c.Render(language.MustParse("be"), language.English, task)
	require.NoError(t, err)
	assert.Equal(t, want.Body, got.Body)
	assert.Empty(t, got.Missing)
}

// An application's translations load from a directory (or embed.FS).
func TestLoadFSFromDirectory(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "de.json"), []byte(`{
  "@@last_modified": "2026-12-01",
  "@invoice.title": {"description": "metadata is ignored"},
  "invoice.title": "Rechnung {number} prüfen",
  "invoice.body": "{n, plural, one {# Position} other {# Positionen}} zu prüfen.",
  "operation:open": "Eröffnung",
  "ssl.reissue/renew.title": "Zertifikat {service} neu ausstellen",
  "ssl.reissue/renew.body": "Bis {until}."
}`), 0o644))
	c := tasks.NewCatalog()
	require.NoError(t, c.LoadFS(os.DirFS(dir), "*.json"))
	txt, err := c.Render(language.German, language.English, &tasks.Task{Kind: "invoice",
		Args: tasks.Args{"number": tasks.String("R-7"), "n": tasks.Int(1200)}})
	require.NoError(t, err)
	assert.Equal(t, "Rechnung R-7 prüfen", txt.Title)
	assert.Equal(t, "1.200 Positionen zu prüfen.", txt.Body)
	assert.True(t, c.Has(language.German, tasks.Key{Kind: "ssl.reissue", Operation: tasks.OpRenew}),
		"a kind with a dot, and its operation, read from KIND/OPERATION.title")
}

// A bad file refuses the whole load, naming every bad entry with its file.
func TestLoadFSAllOrNothing(t *testing.T) {
	fsys := fstest.MapFS{
		"fr.arb":   {Data: []byte(`{"invoice.title": "Facture {n", "invoice.body": "x", "weird.key.here.too": "x"}`)},
		"it.arb":   {Data: []byte(`{"invoice.title": "Fattura", "invoice.body": "ok"}`)},
		"xx_1.arb": {Data: []byte(`{"invoice.title": "a", "invoice.body": "b"}`)},
		"nl.arb":   {Data: []byte(`["not", "an", "object"]`)},
		"es.arb":   {Data: []byte(`{"invoice.title": 7}`)},
	}
	c := tasks.NewCatalog()
	err := c.LoadFS(fsys, "*.arb")
	require.ErrorIs(t, err, rbac.ErrInvalid)
	var ve *rbac.ValidationError
	require.True(t, errors.As(err, &ve))
	for _, f := range []struct{ field, rule string }{
		{"fr.arb: messages[invoice].title", "syntax"}, {"fr.arb: weird.key.here.too", "format"},
		{"xx_1.arb: @@locale", "language"}, {"nl.arb", "format"}, {"es.arb: invoice.title", "format"},
	} {
		assert.True(t, ve.Has(f.field, f.rule), "missing %s (%s) in %v", f.field, f.rule, err)
	}
	assert.False(t, c.Has(language.Italian, tasks.Key{Kind: "invoice"}), "a good file of a refused load was added")
	assert.Len(t, c.Languages(), 2)

	err = c.LoadFS(fsys, "*.po")
	assert.ErrorIs(t, err, rbac.ErrInvalid, "a pattern matching nothing is a mistake")
	big := fstest.MapFS{"de.arb": {Data: []byte(`{"a.title": "` + strings.Repeat("x", 5<<20) + `"}`)}}
	err = c.LoadFS(big, "*.arb")
	require.True(t, errors.As(err, &ve))
	assert.True(t, ve.Has("de.arb", "max_size"), "%v", err)
}
