package rbac_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/text/language"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// BenchmarkAdminWrite: whole administrative writes through the public API
// on SQLite at every scale, by the full-access staff member 1: lock,
// catch up, stage, compute and authorize the effect, store rules and the
// change-log entry, commit, publish. Alternating add and remove:
//   - grant: Grant / Revoke of one permission to one staff member;
//   - membership: AddToDepartment / RemoveFromDepartment;
//   - department-1000: EnablePermissions / DisablePermissions on a
//     department of 1,000 members (all staff at S).
func BenchmarkAdminWrite(b *testing.B) {
	for _, sc := range scales {
		b.Run(sc.name, func(b *testing.B) {
			ctx := context.Background()
			w, _, svc := policyService(b, sc, true)
			id := rbac.StaffID(2)
			for svc.IsFullAccess(id) {
				id++
			}
			p := w.perms[len(w.perms)-1]
			alternate := func(b *testing.B, on, off func() error) {
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					do := on
					if i%2 == 1 {
						do = off
					}
					if err := do(); err != nil {
						b.Fatal(err)
					}
				}
				if b.N%2 == 1 {
					if err := off(); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.Run("grant", func(b *testing.B) {
				for svc.Can(id, p) {
					id++
				}
				alternate(b, func() error { return svc.Grant(ctx, 1, id, p) }, func() error { return svc.Revoke(ctx, 1, id, p) })
			})
			b.Run("membership", func(b *testing.B) {
				d := rbac.DepartmentID(1)
				for svc.IsMember(id, d) {
					d++
				}
				alternate(b, func() error { return svc.AddToDepartment(ctx, 1, id, d) }, func() error { return svc.RemoveFromDepartment(ctx, 1, id, d) })
			})
			d, err := svc.CreateDepartment(ctx, 1, rbac.NewDepartment{Name: rbac.Text(language.English, "Thousand")})
			if err != nil {
				b.Fatal(err)
			}
			members := min(1000, sc.staff)
			for i := range members {
				if err := svc.AddToDepartment(ctx, 1, rbac.StaffID(2+i*(sc.staff-1)/members), d.ID); err != nil {
					b.Fatal(err)
				}
			}
			b.Run("department-1000", func(b *testing.B) {
				alternate(b, func() error { return svc.EnablePermissions(ctx, 1, d.ID, p) }, func() error { return svc.DisablePermissions(ctx, 1, d.ID, p) })
				b.ReportMetric(float64(members), "members")
			})
		})
	}
}

// loadRows writes the staff and department rows of a generated world.
func loadRows(tb testing.TB, st *store.Store, w *world) {
	tb.Helper()
	const chunk = 500
	insert := func(tx *gorm.DB, head string, n int, row func(i int) []any) error {
		for i := 1; i <= n; i += chunk {
			var sb strings.Builder
			var args []any
			sb.WriteString(head)
			for j := i; j < min(i+chunk, n+1); j++ {
				if j > i {
					sb.WriteString(",")
				}
				vals := row(j)
				sb.WriteString("(" + strings.TrimSuffix(strings.Repeat("?,", len(vals)), ",") + ")")
				args = append(args, vals...)
			}
			if err := tx.Exec(sb.String(), args...).Error; err != nil {
				return err
			}
		}
		return nil
	}
	err := st.DB().Transaction(func(tx *gorm.DB) error {
		if err := insert(tx, "INSERT INTO billingrbac_departments (id, name, task_language, created_at, updated_at) VALUES ", w.depts, func(i int) []any {
			return []any{i, fmt.Sprintf(`{"en":"Department %d"}`, i), "en", 0, 0}
		}); err != nil {
			return err
		}
		return insert(tx, "INSERT INTO billingrbac_staff (id, login, full_name, created_at, updated_at) VALUES ", w.staff, func(i int) []any {
			return []any{i, fmt.Sprintf("staff%d", i), `{"en":"Staff"}`, 0, 0}
		})
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// policyService generates a world at scale sc, writes its rules (and, with
// rows, its staff and department rows) into a fresh SQLite database and
// returns a Service on it whose catalog holds the generated permissions.
// Lighter than getFixture: no baselines.
func policyService(b *testing.B, sc scale, rows bool) (*world, *store.Store, *rbac.Service) {
	b.Helper()
	ctx := context.Background()
	w := generate(sc, 7)
	dir, err := os.MkdirTemp("", "billingrbac-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	st, err := store.Open(ctx, dir+"/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	loadSQL(b, st, w.rules)
	if rows {
		loadRows(b, st, w)
	}
	svc, err := rbac.New(ctx, st, rbac.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { svc.Close() })
	for i := range catalogFunctions {
		if err := svc.Catalog().Register(rbac.Function(fmt.Sprintf("fn%d", i)), "fn", "view", "add", "edit", "delete"); err != nil {
			b.Fatal(err)
		}
	}
	return w, st, svc
}
