package rbac_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/casbin/casbin/v2"
	gormadapter "github.com/casbin/gorm-adapter/v3"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// Bulk onboarding benchmarks (issue 19 items 1, 2 and 5). They seed
// databases of 100,000 staff and more, so they run only when asked:
//
//	BILLINGRBAC_BENCH_IMPORT=1 go test -run '^$' -bench 'BenchmarkImport$' -benchtime 1x -count 5 -timeout 60m ./rbac
//	BILLINGRBAC_BENCH_IMPORT=1 go test -run '^$' -bench 'BenchmarkGrantAt100k' -benchtime 200x -count 5 ./rbac
//	BILLINGRBAC_BENCH_1M=1 go test -run '^$' -bench 'BenchmarkMillionSeed' -benchtime 1x -count 1 -timeout 60m ./rbac
//
// PostgreSQL rows need BILLINGRBAC_POSTGRES_DSN (a fresh schema each).
// BILLINGRBAC_BENCH_STAFF overrides the 100,000 staff.

const envBenchImport = "BILLINGRBAC_BENCH_IMPORT"

func benchStaff() int {
	if n, err := strconv.Atoi(os.Getenv("BILLINGRBAC_BENCH_STAFF")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// benchBatch is BILLINGRBAC_BENCH_BATCH, or the default batch size.
func benchBatch() int {
	n, _ := strconv.Atoi(os.Getenv("BILLINGRBAC_BENCH_BATCH"))
	return n
}

// onboarding is a generated installation to import: 100 departments
// holding 10-60 permissions of a catalog of ~250, staff in 1-3 of them.
type onboarding struct {
	doc   rbac.ImportDocument
	perms []rbac.Permission
	// rules is the same policy as typed rules, staff numbered from 2 (as
	// the import into a bootstrapped database numbers them).
	grants, members []rbac.Rule
}

func registerBenchCatalog(tb testing.TB, svc *rbac.Service) {
	tb.Helper()
	for i := range catalogFunctions {
		if err := svc.Catalog().Register(rbac.Function(fmt.Sprintf("fn%d", i)), "fn", "view", "add", "edit", "delete"); err != nil {
			tb.Fatal(err)
		}
	}
}

func newOnboarding(perms []rbac.Permission, staff int, seed uint64) *onboarding {
	rng := rand.New(rand.NewPCG(seed, 3))
	o := &onboarding{perms: perms}
	const depts = 100
	names := make([]string, depts)
	for d := range depts {
		names[d] = fmt.Sprintf("Department %03d", d)
		var ps []rbac.Permission
		for _, i := range rng.Perm(len(perms))[:10+rng.IntN(51)] {
			ps = append(ps, perms[i])
			o.grants = append(o.grants, rbac.GrantRule(rbac.DepartmentSubject(rbac.DepartmentID(3+d)), perms[i]))
		}
		o.doc.Departments = append(o.doc.Departments, rbac.ImportDepartment{Name: rbac.Text(language.English, names[d]), Permissions: ps})
	}
	o.doc.Staff = make([]rbac.ImportStaff, staff)
	for i := range staff {
		st := &o.doc.Staff[i]
		st.Login = fmt.Sprintf("u%07d", i)
		st.FullName = rbac.Text(language.English, st.Login)
		for _, d := range rng.Perm(depts)[:1+rng.IntN(3)] {
			st.Departments = append(st.Departments, names[d])
			o.members = append(o.members, rbac.MemberRule(rbac.StaffID(2+i), rbac.DepartmentID(3+d)))
		}
	}
	return o
}

// benchDB opens a fresh migrated database on b and a bootstrapped Service.
func benchDB(tb testing.TB, b testdb.Backend) (*store.Store, *rbac.Service, rbac.StaffID) {
	tb.Helper()
	ctx := context.Background()
	var dsn string
	if b == testdb.SQLite {
		dsn = tb.TempDir() + "/bench.db"
	} else {
		dsn = testdb.DSN(tb, b)
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	svc, err := rbac.New(ctx, st, rbac.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { svc.Close() })
	registerBenchCatalog(tb, svc)
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	return st, svc, boot.Admin.ID
}

func benchBackends(b *testing.B) []testdb.Backend {
	out := []testdb.Backend{testdb.SQLite}
	if os.Getenv(testdb.EnvPostgres) != "" {
		out = append(out, testdb.Postgres)
	}
	return out
}

// casbinChunk is how many rules one AddPolicies call carries: gorm-adapter
// sends a call's rules as one INSERT, SQLite takes at most 32,766 bound
// values (7 a rule), and the pure-Go SQLite driver binds in time quadratic
// in them, so on SQLite smaller calls are faster (swept: 64, 256, 1,000,
// 4,000: 64 and 256 are the best there, 4,000 is 7× slower). BILLINGRBAC_BENCH_CASBIN_CHUNK overrides.
func casbinChunk(be testdb.Backend) int {
	if n, err := strconv.Atoi(os.Getenv("BILLINGRBAC_BENCH_CASBIN_CHUNK")); err == nil && n > 0 {
		return n
	}
	if be == testdb.SQLite {
		return 64
	}
	return 4000
}

// casbinOnboard is the baseline: Casbin with gorm-adapter on the same
// database (its own table), the departments' p rules with AddPolicies and
// the memberships with AddGroupingPolicies, in chunks SQLite accepts.
func casbinOnboard(b *testing.B, st *store.Store, table string, o *onboarding, chunk int) (wall, cpu time.Duration) {
	b.Helper()
	e := casbinEnforcerOn(b, st, table)
	start, cpu0 := time.Now(), processCPU()
	b.StartTimer()
	casbinFill(b, e, o, chunk)
	b.StopTimer()
	return time.Since(start), processCPU() - cpu0
}

// casbinEnforcerOn is a Casbin enforcer with the library's model and
// gorm-adapter on st's *gorm.DB, keeping its rules in table.
func casbinEnforcerOn(b *testing.B, st *store.Store, table string) *casbin.Enforcer {
	b.Helper()
	a, err := gormadapter.NewAdapterByDBUseTableName(st.DB(), "", table)
	if err != nil {
		b.Fatal(err)
	}
	e, err := policy.AdapterEnforcer(a)
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// casbinFill adds o's department grants (AddPolicies) and memberships
// (AddGroupingPolicies) to e, chunk rules a call.
func casbinFill(b *testing.B, e *casbin.Enforcer, o *onboarding, chunk int) {
	b.Helper()
	add := func(rules []rbac.Rule, fn func([][]string) (bool, error)) {
		lines, err := policy.Lines(rules)
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < len(lines); i += chunk {
			var vs [][]string
			for _, l := range lines[i:min(i+chunk, len(lines))] {
				vs = append(vs, l.Values)
			}
			if _, err := fn(vs); err != nil {
				b.Fatal(err)
			}
		}
	}
	add(o.grants, e.AddPolicies)
	add(o.members, e.AddGroupingPolicies)
}

// BenchmarkImport: 100,000 staff in 1-3 of 100 departments, through
// Service.Import (default batches, no passwords) into a bootstrapped
// database, against Casbin's AddPolicies + AddGroupingPolicies of the same
// rules through gorm-adapter on the same kind of database (a fresh one,
// its own table). Each iteration runs both back to back on fresh
// databases, so the ratio compares them under the same machine load; setup
// is not timed. Metrics: wall seconds and process CPU of each, and the
// ratios library ÷ Casbin.
func BenchmarkImport(b *testing.B) {
	if os.Getenv(envBenchImport) == "" {
		b.Skipf("set %s=1 to run", envBenchImport)
	}
	n := benchStaff()
	for _, be := range benchBackends(b) {
		b.Run(string(be), func(b *testing.B) {
			var o *onboarding
			var lib, cas, libCPU, casCPU time.Duration
			b.StopTimer()
			for i := range b.N {
				_, svc, admin := benchDB(b, be)
				if o == nil {
					o = newOnboarding(svc.Catalog().Permissions(), n, 1)
				}
				runtime.GC()
				start, cpu := time.Now(), processCPU()
				b.StartTimer()
				res, err := svc.Import(context.Background(), admin, o.doc, rbac.ImportOptions{BatchSize: benchBatch()})
				b.StopTimer()
				lib, libCPU = time.Since(start), processCPU()-cpu
				if err != nil {
					b.Fatal(err)
				}
				if res.Staff != n {
					b.Fatalf("imported %d staff, want %d", res.Staff, n)
				}
				st, _, _ := benchDB(b, be)
				runtime.GC()
				cas, casCPU = casbinOnboard(b, st, fmt.Sprintf("casbin_baseline_%d", i), o, casbinChunk(be))
			}
			b.ReportMetric(lib.Seconds(), "lib-s")
			b.ReportMetric(cas.Seconds(), "casbin-s")
			b.ReportMetric(lib.Seconds()/cas.Seconds(), "wall-ratio")
			b.ReportMetric(libCPU.Seconds(), "lib-cpu-s")
			b.ReportMetric(casCPU.Seconds(), "casbin-cpu-s")
			b.ReportMetric(libCPU.Seconds()/casCPU.Seconds(), "cpu-ratio")
			b.ReportMetric(float64(len(o.members)), "memberships")
		})
	}
}
