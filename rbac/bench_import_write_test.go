package rbac_test

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/casbin/casbin/v2"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// importedInstallation imports an onboarding of n staff through Import
// into a fresh database on be and returns it with its Service.
func importedInstallation(b *testing.B, be testdb.Backend, n, batch int) (*store.Store, *rbac.Service, rbac.StaffID, *onboarding, time.Duration) {
	b.Helper()
	st, svc, admin := benchDB(b, be)
	o := newOnboarding(svc.Catalog().Permissions(), n, 1)
	start := time.Now()
	res, err := svc.Import(context.Background(), admin, o.doc, rbac.ImportOptions{BatchSize: batch})
	if err != nil {
		b.Fatal(err)
	}
	if res.Staff != n {
		b.Fatalf("imported %d staff, want %d", res.Staff, n)
	}
	return st, svc, admin, o, time.Since(start)
}

// BenchmarkGrantAt100k: one Grant (alternating with its Revoke) of a
// permission to one staff member of an installation of 100,000 imported
// staff, against Casbin's AddPolicy / RemovePolicy through gorm-adapter on
// the same database (the same *gorm.DB, so the same connection settings),
// holding the same policy in its own table. cpu-ns/op is the benchmark
// thread's CPU (on SQLite the database's work too; on PostgreSQL the
// server's is not in it). "paired" alternates one library write and one
// Casbin write in the same loop, so their ratio is taken under the same
// machine load: lib-ns/op, casbin-ns/op and ratio (of the two sums).
func BenchmarkGrantAt100k(b *testing.B) {
	if os.Getenv(envBenchImport) == "" {
		b.Skipf("set %s=1 to run", envBenchImport)
	}
	n := benchStaff()
	for _, be := range benchBackends(b) {
		b.Run(string(be), func(b *testing.B) {
			ctx := context.Background()
			st, svc, admin, o, _ := importedInstallation(b, be, n, 0)
			id := rbac.StaffID(2 + n/2)
			p := o.perms[len(o.perms)-1]
			for svc.Can(id, p) {
				id++
			}
			library := func(i int) {
				var err error
				if i%2 == 0 {
					err = svc.Grant(ctx, admin, id, p)
				} else {
					err = svc.Revoke(ctx, admin, id, p)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			e := casbinWriteBaseline(b, st, be, o)
			sub, obj, act := policy.Staff(id), string(p.Function), string(p.Action)
			casbinWrite := func(i int) {
				var err error
				if i%2 == 0 {
					_, err = e.AddPolicy(sub, obj, act)
				} else {
					_, err = e.RemovePolicy(sub, obj, act)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			run := func(name string, write func(int)) {
				b.Run(name, func(b *testing.B) {
					runtime.GC()
					b.ReportAllocs()
					defer cpuMetric(b)()
					for i := 0; b.Loop(); i++ {
						write(i)
					}
				})
			}
			run("library", library)
			run("casbin", casbinWrite)
			b.Run("paired", func(b *testing.B) {
				runtime.GC()
				var lib, cas time.Duration
				for i := 0; b.Loop(); i++ {
					t0 := time.Now()
					library(i)
					t1 := time.Now()
					casbinWrite(i)
					lib, cas = lib+t1.Sub(t0), cas+time.Since(t1)
				}
				b.ReportMetric(float64(lib.Nanoseconds())/float64(b.N), "lib-ns/op")
				b.ReportMetric(float64(cas.Nanoseconds())/float64(b.N), "casbin-ns/op")
				b.ReportMetric(float64(lib)/float64(cas), "ratio")
			})
		})
	}
}

// casbinWriteBaseline is Casbin with gorm-adapter on st's *gorm.DB (its
// own table), holding o's policy, for the write benchmarks.
func casbinWriteBaseline(b *testing.B, st *store.Store, be testdb.Backend, o *onboarding) *casbin.Enforcer {
	b.Helper()
	e := casbinEnforcerOn(b, st, "casbin_write_baseline")
	casbinFill(b, e, o, casbinChunk(be))
	return e
}

// BenchmarkMillionSeed: 1,000,000 staff in 1-3 of 100 departments seeded
// through Import (batches of 5,000) into PostgreSQL, then cold starts of
// a new Service on that database: rbac.New to the first decision, and the
// heap the Service keeps per staff member. One iteration seeds once and
// starts three times; it needs several GB (check free memory first).
func BenchmarkMillionSeed(b *testing.B) {
	if os.Getenv("BILLINGRBAC_BENCH_1M") == "" {
		b.Skip("set BILLINGRBAC_BENCH_1M=1 to run (PostgreSQL, several GB)")
	}
	if os.Getenv(testdb.EnvPostgres) == "" {
		b.Skipf("%s not set", testdb.EnvPostgres)
	}
	n := 1_000_000
	if m := benchStaff(); m != 100_000 {
		n = m
	}
	b.StopTimer()
	for range b.N {
		st, svc, _, o, seed := importedInstallation(b, testdb.Postgres, n, 5000)
		b.ReportMetric(seed.Seconds(), "seed-s")
		b.ReportMetric(float64(len(o.members)+len(o.grants)), "rules")
		probe, p0 := rbac.StaffID(2+n-1), o.perms[0]
		want := svc.Can(probe, p0)
		_ = svc.Close()
		o = nil
		var best, worst time.Duration
		var heap float64
		for i := range 3 {
			var ms0, ms1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms0)
			start := time.Now()
			fresh, err := rbac.New(context.Background(), st, rbac.Options{})
			if err != nil {
				b.Fatal(err)
			}
			got := fresh.Can(probe, p0) // the first decision
			took := time.Since(start)
			if i == 0 || took < best {
				best = took
			}
			worst = max(worst, took)
			runtime.GC()
			runtime.ReadMemStats(&ms1)
			heap = float64(ms1.HeapAlloc) - float64(ms0.HeapAlloc)
			if got != want {
				b.Fatal("the cold start disagrees with the seeding instance")
			}
			_ = fresh.Close()
		}
		b.ReportMetric(best.Seconds(), "cold-best-s")
		b.ReportMetric(worst.Seconds(), "cold-worst-s")
		b.ReportMetric(heap/float64(n), "heap-B/staff")
	}
}
