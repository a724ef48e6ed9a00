package rbac_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/casbin/casbin/v2"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// Scales of issue 7. Each staff member is in 1-3 departments, 10% have
// direct grants, a few have full access or are disabled.
type scale struct {
	name                  string
	depts, staff, perDept int
	universe              int // distinct permissions
}

var scales = []scale{
	{"S", 10, 100, 10, 50},
	{"M", 100, 10_000, 30, 300},
	{"L", 1_000, 100_000, 100, 2_000},
}

// world is a generated policy and request mixes over it.
type world struct {
	scale
	perms    []rbac.Permission
	rules    []rbac.Rule
	memberOf map[rbac.StaffID][]rbac.DepartmentID
	deptPerm map[rbac.DepartmentID][]rbac.Permission
	allowed  []request // requests the policy allows
	denied   []request // requests it denies
	mixed    []request
}

type request struct {
	staff rbac.StaffID
	perm  rbac.Permission
}

func generate(sc scale, seed uint64) *world {
	rng := rand.New(rand.NewPCG(seed, 1))
	w := &world{scale: sc, memberOf: map[rbac.StaffID][]rbac.DepartmentID{}, deptPerm: map[rbac.DepartmentID][]rbac.Permission{}}
	actions := []rbac.Action{"view", "add", "edit", "delete"}
	for i := 0; len(w.perms) < sc.universe; i++ {
		for _, a := range actions {
			w.perms = append(w.perms, rbac.Perm(rbac.Function(fmt.Sprintf("fn%d", i)), a))
		}
	}
	w.perms = w.perms[:sc.universe]
	for d := 1; d <= sc.depts; d++ {
		id := rbac.DepartmentID(d)
		for _, j := range rng.Perm(sc.universe)[:sc.perDept] {
			p := w.perms[j]
			w.deptPerm[id] = append(w.deptPerm[id], p)
			w.rules = append(w.rules, rbac.GrantRule(rbac.DepartmentSubject(id), p))
		}
	}
	for s := 1; s <= sc.staff; s++ {
		id := rbac.StaffID(s)
		n := 1 + rng.IntN(3)
		seen := map[rbac.DepartmentID]bool{}
		for range n {
			d := rbac.DepartmentID(1 + rng.IntN(sc.depts))
			if !seen[d] {
				seen[d] = true
				w.memberOf[id] = append(w.memberOf[id], d)
				w.rules = append(w.rules, rbac.MemberRule(id, d))
			}
		}
		if rng.IntN(10) == 0 {
			for range 1 + rng.IntN(3) {
				w.rules = append(w.rules, rbac.GrantRule(rbac.StaffSubject(id), w.perms[rng.IntN(sc.universe)]))
			}
		}
		if s == 1 || rng.IntN(1000) == 0 {
			w.rules = append(w.rules, rbac.FlagRule(rbac.StaffSubject(id), rbac.FlagFullAccess))
		}
		if s > 1 && rng.IntN(100) == 0 {
			w.rules = append(w.rules, rbac.FlagRule(rbac.StaffSubject(id), rbac.FlagDisabled))
		}
	}
	w.rules = dedupe(w.rules)
	return w
}

func dedupe(rules []rbac.Rule) []rbac.Rule {
	seen := make(map[rbac.Rule]bool, len(rules))
	out := rules[:0]
	for _, r := range rules {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// requests draws request mixes, classified by the reference decision.
func (w *world) requests(svc *rbac.Service, n int) {
	rng := rand.New(rand.NewPCG(42, 2))
	for len(w.allowed) < n || len(w.denied) < n {
		s := rbac.StaffID(1 + rng.IntN(w.staff))
		var p rbac.Permission
		if ds := w.memberOf[s]; len(ds) > 0 && rng.IntN(2) == 0 {
			dp := w.deptPerm[ds[rng.IntN(len(ds))]]
			p = dp[rng.IntN(len(dp))]
		} else {
			p = w.perms[rng.IntN(len(w.perms))]
		}
		r := request{s, p}
		if svc.Can(s, p) {
			if len(w.allowed) < n {
				w.allowed = append(w.allowed, r)
				w.mixed = append(w.mixed, r)
			}
		} else if len(w.denied) < n {
			w.denied = append(w.denied, r)
			w.mixed = append(w.mixed, r)
		}
	}
}

// loadSQL writes the generated policy straight into a migrated database,
// in chunks, as the store would have written it change by change.
func loadSQL(tb testing.TB, st *store.Store, rules []rbac.Rule) {
	tb.Helper()
	lines, err := policy.Lines(rules)
	if err != nil {
		tb.Fatal(err)
	}
	db := st.DB()
	const chunk = 1000
	err = db.Transaction(func(tx *gorm.DB) error {
		for i := 0; i < len(lines); i += chunk {
			var sb strings.Builder
			args := make([]any, 0, chunk*4)
			sb.WriteString("INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5) VALUES ")
			for j, l := range lines[i:min(i+chunk, len(lines))] {
				if j > 0 {
					sb.WriteString(",")
				}
				v := append(l.Values, "", "", "")[:3]
				sb.WriteString("(?, ?, ?, ?, '', '', '')")
				args = append(args, l.Ptype, v[0], v[1], v[2])
			}
			if err := tx.Exec(sb.String(), args...).Error; err != nil {
				return err
			}
		}
		return tx.Exec("UPDATE rbac_state SET version = 1 WHERE id = 1").Error
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// fixture is one scale loaded into SQLite, the Service on it, and the
// Casbin baselines over the same rules.
type fixture struct {
	*world
	svc  *rbac.Service
	st   *store.Store
	bare map[request]bool

	once           sync.Once
	casbinE, cache casbin.IEnforcer
}

// enforcers builds the Casbin baselines on first use (they are the
// expensive part of a fixture) and checks they agree with the library
// before anything is timed.
func (f *fixture) enforcers(b *testing.B) (plain, cached casbin.IEnforcer) {
	b.Helper()
	f.once.Do(func() {
		var err error
		if f.casbinE, err = policy.NewBulkEnforcer(f.rules, false); err != nil {
			b.Fatal(err)
		}
		if f.cache, err = policy.NewBulkEnforcer(f.rules, true); err != nil {
			b.Fatal(err)
		}
		for _, r := range f.mixed[:256] {
			if want := enforce(f.casbinE, r); want != f.svc.Can(r.staff, r.perm) {
				b.Fatalf("%s %s: casbin %v, library %v", r.staff, r.perm, want, !want)
			}
		}
	})
	if f.casbinE == nil {
		b.Fatal("Casbin baselines failed to build")
	}
	return f.casbinE, f.cache
}

var (
	fixturesMu sync.Mutex
	fixtures   = map[string]*fixture{}
)

func getFixture(b *testing.B, sc scale) *fixture {
	b.Helper()
	fixturesMu.Lock()
	defer fixturesMu.Unlock()
	if f := fixtures[sc.name]; f != nil {
		return f
	}
	ctx := context.Background()
	w := generate(sc, 7)
	dir, err := os.MkdirTemp("", "billingrbac-bench-")
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(ctx, dir+"/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	loadSQL(b, st, w.rules)
	svc, err := rbac.New(ctx, st, rbac.Options{})
	if err != nil {
		b.Fatal(err)
	}
	w.requests(svc, 4096)
	f := &fixture{world: w, svc: svc, st: st, bare: map[request]bool{}}
	for _, r := range w.mixed {
		f.bare[r] = svc.Can(r.staff, r.perm)
	}
	fixtures[sc.name] = f
	return f
}

func enforce(e casbin.IEnforcer, r request) bool {
	ok, _ := e.Enforce(policy.Staff(r.staff), string(r.perm.Function), string(r.perm.Action))
	return ok
}

var sink bool

// BenchmarkCheck compares one permission check: the library's decision
// index, casbin.Enforcer, casbin.SyncedCachedEnforcer (random request mix)
// and a bare precomputed map, on allowed and denied requests.
func BenchmarkCheck(b *testing.B) {
	for _, sc := range scales {
		b.Run(sc.name, func(b *testing.B) { benchCheck(b, getFixture(b, sc)) })
	}
}

func benchCheck(b *testing.B, f *fixture) {
	{
		for _, kind := range []struct {
			name string
			reqs []request
		}{{"allowed", f.allowed}, {"denied", f.denied}} {
			reqs := kind.reqs
			mask := len(reqs) - 1 // 4096: a power of two
			b.Run(kind.name+"/library", func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					r := reqs[i&mask]
					sink = f.svc.Can(r.staff, r.perm)
				}
			})
			b.Run(kind.name+"/map", func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					sink = f.bare[reqs[i&mask]]
				}
			})
			b.Run(kind.name+"/casbin", func(b *testing.B) {
				plain, _ := f.enforcers(b)
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					sink = enforce(plain, reqs[i&mask])
				}
			})
			b.Run(kind.name+"/casbin-cached", func(b *testing.B) {
				_, cached := f.enforcers(b)
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					sink = enforce(cached, reqs[i&mask])
				}
			})
		}
	}
}

// BenchmarkCheckParallel is BenchmarkCheck under RunParallel on the mixed
// request set.
func BenchmarkCheckParallel(b *testing.B) {
	for _, sc := range scales {
		b.Run(sc.name, func(b *testing.B) { benchCheckParallel(b, getFixture(b, sc)) })
	}
}

func benchCheckParallel(b *testing.B, f *fixture) {
	reqs := f.mixed
	const mask = 4096 - 1
	run := func(name string, setup func(b *testing.B) func(request) bool) {
		b.Run(name, func(b *testing.B) {
			check := setup(b)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := rand.IntN(4096)
				ok := false
				for pb.Next() {
					ok = ok != check(reqs[i&mask])
					i++
				}
				_ = ok
			})
		})
	}
	run("library", func(*testing.B) func(request) bool {
		return func(r request) bool { return f.svc.Can(r.staff, r.perm) }
	})
	run("map", func(*testing.B) func(request) bool {
		return func(r request) bool { return f.bare[r] }
	})
	run("casbin", func(b *testing.B) func(request) bool {
		plain, _ := f.enforcers(b)
		return func(r request) bool { return enforce(plain, r) }
	})
	run("casbin-cached", func(b *testing.B) func(request) bool {
		_, cached := f.enforcers(b)
		return func(r request) bool { return enforce(cached, r) }
	})
}

// BenchmarkWhoCan: the library's WhoCan at every scale; Casbin's
// GetImplicitUsersForPermission (one Enforce per subject) only at S, where
// it still finishes.
func BenchmarkWhoCan(b *testing.B) {
	for _, sc := range scales {
		b.Run(sc.name+"/library", func(b *testing.B) {
			f := getFixture(b, sc)
			b.ReportAllocs()
			n := 0
			for i := 0; b.Loop(); i++ {
				n += len(f.svc.WhoCan(f.perms[i%len(f.perms)]))
			}
			b.ReportMetric(float64(n)/float64(b.N), "holders/op")
		})
		if sc.name != "S" {
			continue
		}
		b.Run(sc.name+"/casbin", func(b *testing.B) {
			f := getFixture(b, sc)
			b.ReportAllocs()
			plain, _ := f.enforcers(b)
			e := plain.(*casbin.Enforcer)
			for i := 0; b.Loop(); i++ {
				p := f.perms[i%len(f.perms)]
				if _, err := e.GetImplicitUsersForPermission(string(p.Function), string(p.Action)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkApply: applying one committed grant or revocation to the index
// (the in-memory part of a write), alternating so the state stays bounded.
func BenchmarkApply(b *testing.B) {
	for _, sc := range scales {
		b.Run(sc.name+"/grant-revoke", func(b *testing.B) {
			f := getFixture(b, sc)
			b.ReportAllocs()
			v := f.svc.Version()
			for i := 0; b.Loop(); i++ {
				r := rbac.GrantRule(rbac.StaffSubject(rbac.StaffID(2+i%1000)), f.perms[i%len(f.perms)])
				d := rbac.PolicyDelta{Add: []rbac.Rule{r}}
				if f.svc.Can(rbac.StaffID(2+i%1000), r.Permission) {
					d = rbac.PolicyDelta{Remove: []rbac.Rule{r}}
				}
				v++
				if !f.svc.ApplyForTest(v, d) {
					b.Fatal("apply refused")
				}
			}
		})
	}
}

// BenchmarkColdStart: rbac.New on a database holding the whole policy,
// from SQLite and (when configured) PostgreSQL, and the heap the decision
// index keeps.
func BenchmarkColdStart(b *testing.B) {
	for _, sc := range scales {
		for _, be := range testdb.Backends(b) {
			b.Run(sc.name+"/"+string(be), func(b *testing.B) {
				w := generate(sc, 7)
				st := testdb.New(b, be)
				loadSQL(b, st, w.rules)
				ctx := context.Background()
				var ms0, ms1 runtime.MemStats
				var heap float64
				for b.Loop() {
					b.StopTimer() // garbage collections are not part of a start
					runtime.GC()
					runtime.ReadMemStats(&ms0)
					b.StartTimer()
					svc, err := rbac.New(ctx, st, rbac.Options{})
					if err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					runtime.GC()
					runtime.ReadMemStats(&ms1)
					heap = float64(ms1.HeapAlloc) - float64(ms0.HeapAlloc)
					runtime.KeepAlive(svc)
					_ = svc.Close()
					b.StartTimer()
				}
				b.ReportMetric(heap/(1<<20), "heap-MB")
				b.ReportMetric(float64(len(w.rules)), "rules")
			})
		}
	}
}
