package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/store"
)

func rbacctl(args ...string) result {
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb, func(string) string { return "" })
	return result{code, out.String(), errb.String()}
}

// TestMigrationsExport: the exported files are the library's, byte for
// byte, in either flag order; a second export changes nothing; a file a
// DBA edited is refused, not overwritten; a bad or missing dialect is a
// usage error.
func TestMigrationsExport(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "sql")
			r := rbacctl("migrations", "export", dir, "--dialect", string(d))
			require.Equal(t, exitOK, r.code, r.stderr)
			src, err := store.MigrationsFS(d)
			require.NoError(t, err)
			ents, err := fs.ReadDir(src, ".")
			require.NoError(t, err)
			got, err := os.ReadDir(dir)
			require.NoError(t, err)
			require.Len(t, got, len(ents))
			for _, e := range ents {
				want, err := fs.ReadFile(src, e.Name())
				require.NoError(t, err)
				b, err := os.ReadFile(filepath.Join(dir, e.Name()))
				require.NoError(t, err)
				require.Equal(t, string(want), string(b))
			}

			r = rbacctl("migrations", "export", "--dialect", string(d), dir)
			require.Equal(t, exitOK, r.code, r.stderr)
			require.Contains(t, r.stdout, "(0 new, ")

			edited := filepath.Join(dir, ents[0].Name())
			require.NoError(t, os.WriteFile(edited, []byte("-- mine\n"), 0o644))
			r = rbacctl("migrations", "export", "--dialect", string(d), dir)
			require.Equal(t, exitError, r.code)
			require.Contains(t, r.stderr, "differs")
			b, err := os.ReadFile(edited)
			require.NoError(t, err)
			require.Equal(t, "-- mine\n", string(b))
		})
	}
	require.Equal(t, exitUsage, rbacctl("migrations", "export", t.TempDir()).code)
	require.Equal(t, exitUsage, rbacctl("migrations", "export", t.TempDir(), "--dialect", "mysql").code)
	require.Equal(t, exitUsage, rbacctl("migrations", "export").code)
}
