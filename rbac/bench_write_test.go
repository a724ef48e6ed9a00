package rbac_test

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// BenchmarkApply: the in-memory part of a write (applying one committed
// change to the decision index), alternating add and remove so the state
// stays bounded:
//   - grant-revoke: a direct grant to one staff member;
//   - membership: one staff member joins or leaves a department;
//   - department-1000: a permission given to or taken from a department of
//     1,000 members (all staff at S).
func BenchmarkApply(b *testing.B) {
	for _, sc := range scales {
		b.Run(sc.name, func(b *testing.B) {
			f := getFixture(b, sc)
			b.Run("grant-revoke", func(b *testing.B) {
				b.ReportAllocs()
				defer cpuMetric(b)()
				v := f.svc.Version()
				for i := 0; b.Loop(); i++ {
					id := rbac.StaffID(2 + i%1000%f.staff)
					r := rbac.GrantRule(rbac.StaffSubject(id), f.perms[i%len(f.perms)])
					d := rbac.PolicyDelta{Add: []rbac.Rule{r}}
					if f.svc.Can(id, r.Permission) {
						d = rbac.PolicyDelta{Remove: []rbac.Rule{r}}
					}
					v++
					if !f.svc.ApplyForTest(v, d) {
						b.Fatal("apply refused")
					}
				}
			})
			b.Run("membership", func(b *testing.B) {
				b.ReportAllocs()
				defer cpuMetric(b)()
				v := f.svc.Version()
				for i := 0; b.Loop(); i++ {
					id := rbac.StaffID(2 + i%1000%f.staff)
					r := rbac.MemberRule(id, rbac.DepartmentID(1+i%f.depts))
					d := rbac.PolicyDelta{Add: []rbac.Rule{r}}
					if f.svc.IsMember(id, r.Department) {
						d = rbac.PolicyDelta{Remove: []rbac.Rule{r}}
					}
					v++
					if !f.svc.ApplyForTest(v, d) {
						b.Fatal("apply refused")
					}
				}
			})
			b.Run("department-1000", func(b *testing.B) {
				dept := rbac.DepartmentID(f.depts + 1)
				members := min(1000, f.staff)
				var join, leave rbac.PolicyDelta
				for i := range members {
					r := rbac.MemberRule(rbac.StaffID(1+i*f.staff/members), dept)
					join.Add = append(join.Add, r)
					leave.Remove = append(leave.Remove, r)
				}
				v := f.svc.Version() + 1
				if !f.svc.ApplyForTest(v, join) {
					b.Fatal("apply refused")
				}
				defer func() {
					v++
					if !f.svc.ApplyForTest(v, leave) {
						b.Fatal("apply refused")
					}
				}()
				g := rbac.GrantRule(rbac.DepartmentSubject(dept), f.perms[len(f.perms)-1])
				b.ReportAllocs()
				defer cpuMetric(b)()
				for i := 0; b.Loop(); i++ {
					d := rbac.PolicyDelta{Add: []rbac.Rule{g}}
					if i%2 == 1 {
						d = rbac.PolicyDelta{Remove: []rbac.Rule{g}}
					}
					v++
					if !f.svc.ApplyForTest(v, d) {
						b.Fatal("apply refused")
					}
				}
				if b.N%2 == 1 { // leave the department without the permission
					v++
					f.svc.ApplyForTest(v, rbac.PolicyDelta{Remove: []rbac.Rule{g}})
				}
				b.ReportMetric(float64(members), "members")
			})
		})
	}
}

// BenchmarkColdStart: rbac.New on a database holding the whole policy,
// from SQLite and (when configured) PostgreSQL, and the heap the decision
// index keeps. With BILLINGRBAC_BENCH_1M=1 it also starts from one million
// staff (PostgreSQL only: the seed takes a minute and a few GiB).
// cpu-ms/op is the test process's CPU per start.
func BenchmarkColdStart(b *testing.B) {
	all := scales
	if os.Getenv("BILLINGRBAC_BENCH_1M") != "" {
		all = append(all[:len(all):len(all)], scale{"1M", 10_000, 1_000_000})
	}
	for _, sc := range all {
		for _, be := range testdb.Backends(b) {
			if sc.staff > 100_000 && be != testdb.Postgres {
				continue
			}
			b.Run(sc.name+"/"+string(be), func(b *testing.B) {
				w := generate(sc, 7)
				st := testdb.New(b, be)
				loadSQL(b, st, w.rules)
				rules := len(w.rules)
				w.rules = nil // an application holds no copy of its policy
				ctx := context.Background()
				var ms0, ms1 runtime.MemStats
				var heap float64
				var cpu time.Duration
				for b.Loop() {
					b.StopTimer() // garbage collections are not part of a start
					runtime.GC()
					runtime.ReadMemStats(&ms0)
					cpu0 := processCPU()
					b.StartTimer()
					svc, err := rbac.New(ctx, st, rbac.Options{})
					if err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					cpu += processCPU() - cpu0
					runtime.GC()
					runtime.ReadMemStats(&ms1)
					heap = float64(ms1.HeapAlloc) - float64(ms0.HeapAlloc)
					runtime.KeepAlive(svc)
					_ = svc.Close()
					b.StartTimer()
				}
				b.ReportMetric(heap/(1<<20), "heap-MB")
				b.ReportMetric(float64(rules), "rules")
				// The process's CPU (every goroutine, the collector's too;
				// not the database server's): what a start costs apart from
				// the wait for a core on a shared machine.
				b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
			})
		}
	}
}
