package testdb

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/store"
)

// Catalog returns a text dump of the schema st's database holds, one entry
// per fact, sorted: every table, column (type, nullability, default,
// identity), index (its definition), constraint, trigger and function, and
// on SQLite the stored CREATE text of each object (triggers included). An
// entry's first word is the table (or function) it belongs to; the lines of
// a multi-line definition follow it, each starting with "  | ". Tables named in skip (the version
// tables of migration tools) are left out. Two databases with the same
// dump have the same schema.
func Catalog(tb testing.TB, st *store.Store, skip ...string) string {
	tb.Helper()
	var lines []string
	var err error
	if st.IsPostgres() {
		lines, err = postgresCatalog(st.DB())
	} else {
		lines, err = sqliteCatalog(st.DB())
	}
	if err != nil {
		tb.Fatalf("testdb: catalog: %v", err)
	}
	lines = slices.DeleteFunc(lines, func(l string) bool {
		table, _, _ := strings.Cut(l, " ")
		return slices.Contains(skip, table)
	})
	for i, l := range lines {
		// One entry a line; the lines of a multi-line definition follow
		// as continuations marked "  | ".
		lines[i] = strings.ReplaceAll(strings.TrimSpace(l), "\n", "\n  | ")
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}

func sqliteCatalog(db *gorm.DB) ([]string, error) {
	type object struct{ Type, Name, TblName, SQL string }
	var objs []object
	if err := db.Raw(`SELECT type, name, tbl_name AS tbl_name, COALESCE(sql, '') AS sql FROM sqlite_master
		WHERE name NOT LIKE 'sqlite_%'`).Scan(&objs).Error; err != nil {
		return nil, err
	}
	var out []string
	for _, o := range objs {
		out = append(out, fmt.Sprintf("%s %s %s: %s", o.TblName, o.Type, o.Name, o.SQL))
		if o.Type != "table" {
			continue
		}
		type column struct {
			Cid     int
			Name    string
			Type    string
			NotNull bool `gorm:"column:notnull"`
			Dflt    *string
			PK      int `gorm:"column:pk"`
		}
		var cols []column
		if err := db.Raw(`SELECT cid, name, type, "notnull", dflt_value AS dflt, pk FROM pragma_table_info(?)`, o.Name).Scan(&cols).Error; err != nil {
			return nil, err
		}
		for _, c := range cols {
			d := "-"
			if c.Dflt != nil {
				d = *c.Dflt
			}
			out = append(out, fmt.Sprintf("%s column %02d %s %s notnull=%t default=%s pk=%d", o.Name, c.Cid, c.Name, c.Type, c.NotNull, d, c.PK))
		}
		type index struct {
			Name    string
			Unique  bool `gorm:"column:unique"`
			Origin  string
			Partial bool
		}
		var idx []index
		if err := db.Raw(`SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, o.Name).Scan(&idx).Error; err != nil {
			return nil, err
		}
		for _, ix := range idx {
			var cols []string
			if err := db.Raw(`SELECT COALESCE(name, '<expr>') FROM pragma_index_xinfo(?) WHERE key ORDER BY seqno`, ix.Name).Scan(&cols).Error; err != nil {
				return nil, err
			}
			out = append(out, fmt.Sprintf("%s index %s unique=%t origin=%s partial=%t (%s)", o.Name, ix.Name, ix.Unique, ix.Origin, ix.Partial, strings.Join(cols, ", ")))
		}
		var fks []struct {
			ID       int
			Table    string
			From, To string
			OnDelete string
		}
		if err := db.Raw(`SELECT id, "table", "from", "to", on_delete AS on_delete FROM pragma_foreign_key_list(?)`, o.Name).Scan(&fks).Error; err != nil {
			return nil, err
		}
		for _, fk := range fks {
			out = append(out, fmt.Sprintf("%s foreign key %d (%s) references %s (%s) on delete %s", o.Name, fk.ID, fk.From, fk.Table, fk.To, fk.OnDelete))
		}
	}
	return out, nil
}

func postgresCatalog(db *gorm.DB) ([]string, error) {
	var out []string
	var tables []struct{ Name, Kind string }
	if err := db.Raw(`SELECT c.relname AS name, c.relkind::text AS kind FROM pg_class c
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'v', 'S', 'p')`).Scan(&tables).Error; err != nil {
		return nil, err
	}
	for _, t := range tables {
		out = append(out, fmt.Sprintf("%s relation kind=%s", t.Name, t.Kind))
	}
	var cols []struct {
		Table, Column, Type, Nullable, Identity, Generation string
		Position                                            int
		Default                                             *string
	}
	if err := db.Raw(`SELECT table_name AS "table", column_name AS "column", ordinal_position AS position,
		CASE WHEN data_type = 'character varying' THEN data_type || '(' || character_maximum_length || ')' ELSE data_type END AS type,
		is_nullable AS nullable, column_default AS "default", is_identity AS identity, COALESCE(identity_generation, '') AS generation
		FROM information_schema.columns WHERE table_schema = current_schema()`).Scan(&cols).Error; err != nil {
		return nil, err
	}
	for _, c := range cols {
		d := "-"
		if c.Default != nil {
			d = *c.Default
		}
		out = append(out, fmt.Sprintf("%s column %02d %s %s nullable=%s default=%s identity=%s %s",
			c.Table, c.Position, c.Column, c.Type, c.Nullable, d, c.Identity, c.Generation))
	}
	var idx []struct{ Table, Name, Def string }
	if err := db.Raw(`SELECT tablename AS "table", indexname AS name, indexdef AS def FROM pg_indexes
		WHERE schemaname = current_schema()`).Scan(&idx).Error; err != nil {
		return nil, err
	}
	var schema string
	if err := db.Raw(`SELECT current_schema()`).Scan(&schema).Error; err != nil {
		return nil, err
	}
	for _, ix := range idx {
		// The definition names the schema, which differs per database.
		def := strings.ReplaceAll(ix.Def, " "+schema+".", " ")
		out = append(out, fmt.Sprintf("%s index %s: %s", ix.Table, ix.Name, def))
	}
	var cons []struct{ Table, Name, Def string }
	if err := db.Raw(`SELECT c.conrelid::regclass::text AS "table", c.conname AS name, pg_get_constraintdef(c.oid) AS def
		FROM pg_constraint c WHERE c.connamespace = current_schema()::regnamespace`).Scan(&cons).Error; err != nil {
		return nil, err
	}
	for _, c := range cons {
		out = append(out, fmt.Sprintf("%s constraint %s: %s", c.Table, c.Name, c.Def))
	}
	var trigs []struct{ Table, Name, Def string }
	if err := db.Raw(`SELECT c.relname AS "table", t.tgname AS name, pg_get_triggerdef(t.oid) AS def
		FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
		WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace`).Scan(&trigs).Error; err != nil {
		return nil, err
	}
	for _, tg := range trigs {
		out = append(out, fmt.Sprintf("%s trigger %s: %s", tg.Table, tg.Name, strings.ReplaceAll(tg.Def, schema+".", "")))
	}
	var funcs []struct{ Name, Def string }
	if err := db.Raw(`SELECT p.proname AS name, pg_get_functiondef(p.oid) AS def FROM pg_proc p
		WHERE p.pronamespace = current_schema()::regnamespace`).Scan(&funcs).Error; err != nil {
		return nil, err
	}
	for _, f := range funcs {
		def := strings.ReplaceAll(f.Def, schema+".", "")
		def = strings.ReplaceAll(def, "'"+schema+"'", "'<schema>'") // a search_path pinned to the schema
		out = append(out, fmt.Sprintf("%s function: %s", f.Name, def))
	}
	return out, nil
}
