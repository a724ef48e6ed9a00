package store

import (
	"strings"
	"testing"
)

// FuzzParseDSN: parseDSN never panics, and a refusal never echoes the
// password a DSN may carry, wherever it stands.
func FuzzParseDSN(f *testing.F) {
	for _, s := range []string{"", ":memory:", "a.db", "file:x.db?mode=ro", "sqlite://y.sqlite",
		"postgres://u:p@h/db", "host=h user=u password='p w' dbname=d", "billing", "mysql://x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dsn string) {
		const pw = "Zq9secret"
		for _, d := range []string{dsn + " password=" + pw, "x://u:" + pw + "@" + dsn, dsn + pw} {
			if _, err := parseDSN(d); err != nil && strings.Contains(err.Error(), pw) {
				t.Fatalf("error echoes the password: %v", err)
			}
		}
	})
}
