package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	gormadapter "github.com/casbin/gorm-adapter/v3"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/policy"
)

// BenchmarkSQLiteWriteCost takes a Grant's transaction on SQLite apart:
// the same rule added and removed in turn, in a transaction that carries
// more and more of what a library write carries, each on a database of
// its own (20,000 change-log entries and rules) from which the pieces
// not yet counted are dropped, beside Casbin's AddPolicy through
// gorm-adapter (casbin). Every iteration makes one write of each, so
// their mean wall times (NAME-ns/op) and ratios to Casbin's (NAME-x) are
// taken under the same load. It shows how close a versioned, logged
// write can come to Casbin's with this driver, which parses every
// statement again on every execution and writes each page a transaction
// changes as its own WAL frame:
//
//   - rule: the rule alone, as the store writes it (Casbin's write);
//   - +version: the version row incremented (the write lock's statement);
//   - +entry: the change-log entry (the audit trail), no index on it;
//   - +indexes: the change log's five audit indexes;
//   - +guard: the triggers that count writes made behind the library's
//     back (schema version 16);
//   - store: the lock statement as Attempt sends it, which also checks
//     the previous change's hash and the conflicts of duties: the
//     store's whole write, without the library's own CPU.
func BenchmarkSQLiteWriteCost(b *testing.B) {
	indexes := []string{"DROP INDEX " + tableChanges + "_actor", "DROP INDEX " + tableChanges + "_at",
		"DROP INDEX " + tableChanges + "_domain", "DROP INDEX " + tableChanges + "_op", "DROP INDEX " + tableChanges + "_target"}
	guard := []string{"DROP TRIGGER " + tableCasbinRule + "_foreign_insert", "DROP TRIGGER " + tableCasbinRule + "_foreign_update",
		"DROP TRIGGER " + tableCasbinRule + "_foreign_delete"}
	steps := []struct {
		name  string
		drop  []string
		lock  string // "", "plain" or "head"
		entry bool
	}{
		{"rule", append(indexes, guard...), "", false},
		{"+version", append(indexes, guard...), "plain", false},
		{"+entry", append(indexes, guard...), "plain", true},
		{"+indexes", guard, "plain", true},
		{"+guard", nil, "plain", true},
		{"store", nil, "head", true},
	}
	ctx := context.Background()
	names := []string{"casbin"}
	writes := []func(i int) error{casbinWriteCost(b)}
	for _, step := range steps {
		s := writeCostDB(b, step.drop)
		version := int64(writeCostEntries)
		names = append(names, step.name)
		writes = append(writes, func(i int) error {
			return s.transaction(ctx, nil, func(db *gorm.DB) error {
				switch step.lock {
				case "plain":
					if err := db.Exec(lockVersion).Error; err != nil {
						return err
					}
				case "head":
					q, args := s.lockAtHead(version, writeCostHash(version), "[]")
					if res := db.Exec(q, args...); res.Error != nil || res.RowsAffected != 1 {
						return fmt.Errorf("lock at %d: %v, %d rows", version, res.Error, res.RowsAffected)
					}
				}
				version++
				if err := writeCostRule(ctx, db, i); err != nil || !step.entry {
					return err
				}
				return db.Exec(insertChange, version, "staff", version, actorStaff, 1, "grant", "staff:77", "null", "null", "",
					`{"add":[["p","staff:77","invoice","read"]]}`, `{"staff":[77]}`, writeCostHash(version)).Error
			})
		})
	}
	// One write of each in every iteration, so that all see the same
	// machine load; each one's mean wall time is a metric of its own.
	spent := make([]time.Duration, len(writes))
	for i := 0; b.Loop(); i++ {
		for w, write := range writes {
			t0 := time.Now()
			if err := write(i); err != nil {
				b.Fatalf("%s: %v", names[w], err)
			}
			spent[w] += time.Since(t0)
		}
	}
	for w, name := range names {
		b.ReportMetric(float64(spent[w].Nanoseconds())/float64(b.N), name+"-ns/op")
		if w > 0 {
			b.ReportMetric(float64(spent[w])/float64(spent[0]), name+"-x")
		}
	}
}

// casbinWriteCost is the benchmark's Casbin write: AddPolicy and
// RemovePolicy in turn through gorm-adapter, on a database of its own.
func casbinWriteCost(b *testing.B) func(i int) error {
	a, err := gormadapter.NewAdapterByDBUseTableName(writeCostDB(b, nil).db, "", "casbin_write_cost")
	if err != nil {
		b.Fatal(err)
	}
	e, err := policy.AdapterEnforcer(a)
	if err != nil {
		b.Fatal(err)
	}
	return func(i int) error {
		if i%2 == 0 {
			_, err = e.AddPolicy("staff:77", "invoice", "read")
		} else {
			_, err = e.RemovePolicy("staff:77", "invoice", "read")
		}
		return err
	}
}

// writeCostRule adds the benchmark's rule (even i) or removes it, with
// the statements the store writes rules with.
func writeCostRule(ctx context.Context, db *gorm.DB, i int) error {
	line := policy.Line{Ptype: "p", Values: []string{"staff:77", "invoice", "read"}}
	if i%2 == 0 {
		return insertLines(ctx, db, false, []policy.Line{line})
	}
	return deleteLine(db, line)
}

// writeCostEntries is how many change-log entries (and membership rules)
// writeCostDB seeds.
const writeCostEntries = 20_000

// writeCostHash is the hash writeCostDB and the benchmark give the entry
// at version v.
func writeCostHash(v int64) string { return fmt.Sprintf("%064x", v) }

// writeCostDB is a migrated SQLite database in a temporary file holding
// writeCostEntries change-log entries and as many membership rules, with
// the schema objects drop names dropped.
func writeCostDB(b *testing.B, drop []string) *Store {
	b.Helper()
	ctx := context.Background()
	s, err := Open(ctx, b.TempDir()+"/write-cost.db")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	seed := []string{
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
		INSERT INTO `+tableCasbinRule+` (ptype, v0, v1, v2, v3, v4, v5)
		SELECT 'g', 'staff:' || i, 'department:' || (i %% 100), '', '', '', '' FROM n`, writeCostEntries),
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
		INSERT INTO `+tableChanges+` (version, domain, at, actor_kind, actor, op, target, before_json, after_json,
			reason, policy_json, effect_json, hash)
		SELECT i, 'staff', i, '%s', i %% 50, CASE i %% 2 WHEN 0 THEN 'grant' ELSE 'revoke' END, 'staff:' || (i %% 1000),
			'null', 'null', '', '{"add":[["g","staff:1","department:1"]]}', '{"staff":[1]}', printf('%%064x', i) FROM n`,
			writeCostEntries, actorStaff),
		fmt.Sprintf(`UPDATE `+tableState+` SET version = %d WHERE id = 1`, writeCostEntries),
	}
	for _, q := range append(seed, drop...) {
		if err := s.db.Exec(q).Error; err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	return s
}
