package store

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/billingrbac/billingrbac/rbac"
)

// The schema changes, plain SQL files in goose's format (see doc.go,
// "Migrations"): per dialect, the current files (a baseline, then one file
// per later version) and the history the baseline sums up.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
//go:embed migrations/history/sqlite/*.sql migrations/history/postgres/*.sql
var migrationFiles embed.FS

// Dialect is a kind of database the store runs on, and the migrations are
// written for.
type Dialect string

// The dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

func (d Dialect) String() string { return string(d) }

// ParseDialect returns the dialect named s ("sqlite" or "postgres"). Any
// other name is refused with rbac.ErrInvalid (field "dialect").
func ParseDialect(s string) (Dialect, error) {
	switch d := Dialect(s); d {
	case SQLite, Postgres:
		return d, nil
	}
	return "", &rbac.ValidationError{Op: "parse dialect", Fields: []rbac.FieldError{{
		Field: "dialect", Rule: "one_of", Message: fmt.Sprintf("%q is not one of sqlite, postgres", s)}}}
}

// Dialect returns the dialect of the store's database.
func (s *Store) Dialect() Dialect {
	if s.dialect == dialectPostgres {
		return Postgres
	}
	return SQLite
}

// MigrationsFS returns the migrations of dialect d a new database needs:
// files NNNNN_name.sql at its root, in goose's SQL format, the very
// statements Migrate runs. The first is the baseline, which creates the
// schema of its version in one step; each later file is one change. Point
// goose (or a DBA) at them:
//
//	goose -dir DIR -table billingrbac_goose postgres "$DSN" up
//
// after copying them to DIR (rbacctl migrations export DIR does). An
// unknown dialect is refused with rbac.ErrInvalid.
func MigrationsFS(d Dialect) (fs.FS, error) {
	if _, err := ParseDialect(string(d)); err != nil {
		return nil, err
	}
	return fs.Sub(migrationFiles, "migrations/"+string(d))
}

// A migration is one versioned schema change, applied in a transaction.
type migration struct {
	version int
	from    int      // the first version it records: version, or 1 for a baseline
	file    string   // "00001_core.sql"
	stmts   []string // in order, without the final semicolon
}

// A migrationSet is one dialect's migrations.
type migrationSet struct {
	// current are the files MigrationsFS exports: the baseline, which
	// creates the schema of its version at once and records every
	// version up to it, then each later migration. A new database runs
	// these.
	current []migration
	// history holds versions 1 to the baseline's, one change each, as
	// the releases before the baseline shipped them: a database that
	// recorded some of them continues through the rest instead of the
	// baseline, so it ends with the same schema.
	history []migration
}

func (ms migrationSet) last() int { return ms.current[len(ms.current)-1].version }

// migrationSets holds each dialect's parsed migrations. The files are
// embedded, so a malformed one is a build mistake: any test that opens a
// store panics on it (see loadMigrations).
var migrationSets = loadMigrations()

func loadMigrations() map[dialect]migrationSet {
	sets := map[dialect]migrationSet{}
	for d, name := range map[dialect]Dialect{dialectSQLite: SQLite, dialectPostgres: Postgres} {
		ms, err := readMigrationSet(migrationFiles, "migrations/"+string(name), "migrations/history/"+string(name))
		if err != nil {
			panic(fmt.Sprintf("store: embedded %s migrations: %v", name, err))
		}
		sets[d] = ms
	}
	files := func(ms migrationSet) []string {
		var out []string
		for _, m := range append(ms.history, ms.current...) {
			out = append(out, m.file)
		}
		return out
	}
	if a, b := files(sets[dialectSQLite]), files(sets[dialectPostgres]); !slices.Equal(a, b) {
		panic(fmt.Sprintf("store: embedded migrations differ between dialects: sqlite %v, postgres %v", a, b))
	}
	return sets
}

// readMigrationSet reads the current files of dir and the history of
// historyDir ("" for none). The current versions follow each other from
// the baseline's; the history runs from 1 to the baseline's, or is empty
// when the baseline is version 1.
func readMigrationSet(fsys fs.FS, dir, historyDir string) (migrationSet, error) {
	var ms migrationSet
	var err error
	if ms.current, err = readMigrations(fsys, dir); err != nil {
		return ms, err
	}
	if len(ms.current) == 0 {
		return ms, fmt.Errorf("%s: no migrations", dir)
	}
	if historyDir != "" {
		if ms.history, err = readMigrations(fsys, historyDir); err != nil {
			return ms, err
		}
	}
	base := ms.current[0].version
	if len(ms.history) == 0 && base != 1 || len(ms.history) > 0 && (ms.history[0].version != 1 || ms.history[len(ms.history)-1].version != base) {
		return ms, fmt.Errorf("%s: baseline %s: the history must run from version 1 to %d", dir, ms.current[0].file, base)
	}
	ms.current[0].from = 1
	return ms, nil
}

// readMigrations reads the .sql files of dir, each named NNNNN_name.sql,
// numbered one after the other.
func readMigrations(fsys fs.FS, dir string) ([]migration, error) {
	ents, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range ents { // sorted by name, hence by version
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || len(num) != 5 {
			return nil, fmt.Errorf("%s: want NNNNN_name.sql", e.Name())
		}
		if len(out) > 0 && v != out[len(out)-1].version+1 {
			return nil, fmt.Errorf("%s: version %d, want %d: number each migration after the last one (after the baseline), with the billingrbac_ table names; see docs/database.md",
				e.Name(), v, out[len(out)-1].version+1)
		}
		src, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		stmts, err := parseMigration(string(src))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		out = append(out, migration{version: v, from: v, file: e.Name(), stmts: stmts})
	}
	return out, nil
}

// parseMigration splits a migration file into its Up statements the way
// goose does: comments and blank lines before "-- +goose Up" are ignored;
// a statement ends on a line whose last word (before any "--" comment)
// ends with ";", or at "-- +goose StatementEnd" after "-- +goose
// StatementBegin" (for bodies with semicolons inside); "-- +goose Down"
// ends the Up part. Annotations the runner cannot honour (NO TRANSACTION,
// ENVSUB) are refused: every migration runs in one transaction and says
// literally what it does.
func parseMigration(src string) ([]string, error) {
	var stmts []string
	var buf strings.Builder
	up, block := false, false
	sc := bufio.NewScanner(strings.NewReader(src))
	sc.Buffer(nil, 4<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") && strings.Contains(line, "+goose") {
			switch a := strings.TrimSpace(strings.Replace(strings.TrimPrefix(trimmed, "--"), "+goose", "", 1)); a {
			case "Up":
				if up {
					return nil, fmt.Errorf("line %d: second -- +goose Up", n)
				}
				up = true
			case "Down":
				if !up || block || strings.TrimSpace(buf.String()) != "" {
					return nil, fmt.Errorf("line %d: -- +goose Down before the Up part is complete", n)
				}
				return stmts, nil
			case "StatementBegin":
				if !up || block || strings.TrimSpace(buf.String()) != "" {
					return nil, fmt.Errorf("line %d: StatementBegin outside the Up part or inside a statement", n)
				}
				block = true
			case "StatementEnd":
				if !block {
					return nil, fmt.Errorf("line %d: StatementEnd without StatementBegin", n)
				}
				block = false
				stmts = append(stmts, statement(buf.String()))
				buf.Reset()
			default:
				return nil, fmt.Errorf("line %d: annotation %q is not supported (Up, Down, StatementBegin, StatementEnd)", n, a)
			}
			continue
		}
		if buf.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "--")) {
			continue
		}
		if !up {
			return nil, fmt.Errorf("line %d: SQL before -- +goose Up", n)
		}
		buf.WriteString(line)
		buf.WriteByte('\n')
		if !block && endsStatement(line) {
			stmts = append(stmts, statement(buf.String()))
			buf.Reset()
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	switch {
	case !up:
		return nil, fmt.Errorf("no -- +goose Up")
	case block:
		return nil, fmt.Errorf("StatementBegin without StatementEnd")
	case strings.TrimSpace(buf.String()) != "":
		return nil, fmt.Errorf("unfinished statement at the end (missing semicolon?)")
	}
	return stmts, nil
}

// endsStatement reports whether line's last word before any "--" comment
// ends with a semicolon (goose's rule).
func endsStatement(line string) bool {
	last := ""
	for _, w := range strings.Fields(line) {
		if strings.HasPrefix(w, "--") {
			break
		}
		last = w
	}
	return strings.HasSuffix(last, ";")
}

// statement is the text the database receives: what the file says, less
// surrounding space and the final semicolon (SQLite keeps a table's CREATE
// text as given).
func statement(s string) string {
	return strings.TrimSuffix(strings.TrimSpace(s), ";")
}
