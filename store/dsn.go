package store

import (
	"net/url"
	"path/filepath"
	"strings"

	"github.com/billingrbac/billingrbac/rbac"
)

// backend is what a DSN selects: the dialect and the driver's own DSN.
type backend struct {
	dialect dialect
	dsn     string // for SQLite, the path or file: URI without pragmas
	memory  bool   // a private in-memory SQLite database
}

// sqliteExts are the file extensions a bare path must end in to be taken
// for a SQLite database: anything else is refused rather than silently
// created as a new file (a PostgreSQL key=value DSN with a typo used to
// become a SQLite file of that name).
var sqliteExts = []string{".db", ".sqlite", ".sqlite3", ".db3"}

// parseDSN chooses the backend of a DSN. The accepted shapes:
//
//   - "" (DefaultSQLiteFile) and ":memory:";
//   - "file:..." and "sqlite:PATH" / "sqlite://PATH" URIs;
//   - a path ending in .db, .sqlite, .sqlite3 or .db3 (a query string may
//     follow);
//   - "postgres://..." and "postgresql://..." URLs;
//   - PostgreSQL's key=value form ("host=... user=... dbname=...").
//
// Anything else is ErrInvalid naming the shape, never echoing the DSN
// (it may hold a password).
func parseDSN(dsn string) (backend, error) {
	switch {
	case dsn == "":
		return backend{dialect: dialectSQLite, dsn: DefaultSQLiteFile}, nil
	case dsn == ":memory:":
		return backend{dialect: dialectSQLite, dsn: dsn, memory: true}, nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		if _, err := url.Parse(dsn); err != nil {
			return backend{}, dsnError("url", "a postgres:// URL that does not parse")
		}
		return backend{dialect: dialectPostgres, dsn: dsn}, nil
	case strings.HasPrefix(dsn, "file:"):
		return backend{dialect: dialectSQLite, dsn: dsn, memory: strings.Contains(dsn, "mode=memory")}, nil
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//")
		if path == "" {
			return backend{}, dsnError("sqlite", "a SQLite URI without a path")
		}
		return backend{dialect: dialectSQLite, dsn: path, memory: path == ":memory:"}, nil
	case isKeyValueDSN(dsn):
		return backend{dialect: dialectPostgres, dsn: dsn}, nil
	}
	path, _, _ := strings.Cut(dsn, "?")
	ext := strings.ToLower(filepath.Ext(path))
	for _, e := range sqliteExts {
		if ext == e {
			return backend{dialect: dialectSQLite, dsn: dsn}, nil
		}
	}
	if strings.Contains(dsn, "://") {
		scheme, _, _ := strings.Cut(dsn, "://")
		return backend{}, dsnError("scheme", "an unknown URL scheme "+strings.ToLower(shortName(scheme))+
			": use postgres://, postgresql://, file: or sqlite:")
	}
	return backend{}, dsnError("shape", "neither a PostgreSQL DSN (postgres:// URL or key=value) nor a SQLite one "+
		"(\"\", \":memory:\", file:, sqlite:, or a path ending in "+strings.Join(sqliteExts, ", ")+")")
}

// pgKeywords are the libpq connection keywords (PostgreSQL docs, "Parameter
// Key Words") that say where and as whom to connect. Other keys are
// allowed beside them (pgx passes unknown ones on as run-time parameters
// such as search_path), but a key=value DSN without any of these is not
// taken for PostgreSQL.
var pgKeywords = map[string]bool{
	"host": true, "hostaddr": true, "port": true, "dbname": true, "user": true,
	"service": true,
}

// isKeyValueDSN reports whether dsn is PostgreSQL's key=value form: every
// space-separated word is keyword=value (values may be single-quoted), and
// at least one keyword says where or as whom to connect.
func isKeyValueDSN(dsn string) bool {
	known := false
	rest := strings.TrimSpace(dsn)
	if rest == "" {
		return false
	}
	for rest != "" {
		key, after, ok := strings.Cut(rest, "=")
		if !ok {
			return false
		}
		key = strings.TrimSpace(key)
		if key == "" || strings.ContainsAny(key, " /\\'\"") {
			return false
		}
		known = known || pgKeywords[key]
		after = strings.TrimLeft(after, " ")
		if strings.HasPrefix(after, "'") {
			end := closingQuote(after)
			if end < 0 {
				return false
			}
			after = after[end+1:]
		} else if i := strings.IndexByte(after, ' '); i >= 0 {
			after = after[i:]
		} else {
			after = ""
		}
		rest = strings.TrimSpace(after)
	}
	return known
}

// closingQuote returns the index of the quote closing s's opening one,
// honouring libpq's backslash escapes, or -1.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '\'':
			return i
		}
	}
	return -1
}

// shortName keeps an untrusted word short and printable for an error.
func shortName(s string) string {
	if len(s) > 20 {
		s = s[:20]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

func dsnError(rule, msg string) error {
	return &rbac.ValidationError{Op: "open store", Fields: []rbac.FieldError{{
		Field: "dsn", Rule: rule, Message: "not a supported data source: " + msg}}}
}
