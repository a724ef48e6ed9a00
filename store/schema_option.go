package store

import (
	"context"
	"fmt"
	"maps"
	"regexp"

	"github.com/jackc/pgx/v5"

	"github.com/billingrbac/billingrbac/rbac"
)

// schemaName is what Options.Schema accepts: a plain lower-case SQL
// identifier within PostgreSQL's 63 bytes, needing no quoting anywhere.
var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// checkSchemaOption refuses a Schema the store cannot honour, before
// anything is opened.
func checkSchemaOption(schema string, d dialect) error {
	switch {
	case schema == "":
		return nil
	case d != dialectPostgres:
		return schemaError("postgres_only", "a schema of its own needs PostgreSQL (on SQLite, give the library a database file of its own)")
	case !schemaName.MatchString(schema):
		return schemaError("format", "want a lower-case SQL identifier: a-z, 0-9 and _, not starting with a digit, at most 63 bytes")
	}
	return nil
}

func schemaError(rule, msg string) error {
	return &rbac.ValidationError{Op: "open store", Fields: []rbac.FieldError{{Field: "schema", Rule: rule, Message: msg}}}
}

// inSchema makes every connection's search_path the store's schema alone,
// sent with the connection's start-up parameters. The map is copied: pgx
// shares one among the connections it opens concurrently.
func (s *Store) inSchema(cfg *pgx.ConnConfig) {
	if s.schema == "" {
		return
	}
	params := maps.Clone(cfg.RuntimeParams)
	if params == nil {
		params = map[string]string{}
	}
	params["search_path"] = pgx.Identifier{s.schema}.Sanitize()
	cfg.RuntimeParams = params
}

// createSchema creates the store's schema when it is missing. It looks
// first, so a role that may not create schemas still migrates inside one
// its DBA made.
func (s *Store) createSchema(ctx context.Context) error {
	if s.schema == "" {
		return nil
	}
	db := s.db.WithContext(ctx)
	var n int64
	if err := db.Raw(`SELECT COUNT(*) FROM pg_namespace WHERE nspname = ?`, s.schema).Scan(&n).Error; err != nil {
		return fmt.Errorf("store: migrate: schema %s: %w", s.schema, err)
	}
	if n > 0 {
		return nil
	}
	if err := db.Exec(`CREATE SCHEMA IF NOT EXISTS ` + pgx.Identifier{s.schema}.Sanitize()).Error; err != nil {
		return fmt.Errorf("store: migrate: create schema %s: %w", s.schema, err)
	}
	return nil
}

// Schema returns the PostgreSQL schema the store keeps its tables in
// (Options.Schema); "" means the connection's own search_path.
func (s *Store) Schema() string { return s.schema }
