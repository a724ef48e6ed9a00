package rbac_test

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// BenchmarkCheckTemporary is BenchmarkCheck's library rows on the same
// policy with every rule permanent, with 10% of the direct grants
// temporary (grants10) and with 10% of the direct grants and of the
// memberships temporary (members10), in the same run; the windows are open
// during the run, so the request mixes (BenchmarkCheck's) get the same
// answers, and a check reads the clock where a temporary rule decides.
func BenchmarkCheckTemporary(b *testing.B) {
	for _, sc := range scales {
		b.Run(sc.name, func(b *testing.B) {
			f := getFixture(b, sc)
			grants, members := temporaryService(b, f, false), temporaryService(b, f, true)
			for _, kind := range []struct {
				name string
				reqs []request
			}{{"allowed", f.allowed}, {"denied", f.denied}, {"cold", f.cold}, {"hot", f.hot}} {
				reqs := kind.reqs
				mask := len(reqs) - 1
				for _, v := range []struct {
					name string
					svc  *rbac.Service
				}{{"permanent", f.svc}, {"grants10", grants}, {"members10", members}} {
					b.Run(kind.name+"/"+v.name, func(b *testing.B) {
						b.ReportAllocs()
						defer cpuMetric(b)()
						for i := 0; b.Loop(); i++ {
							r := reqs[i&mask]
							sink = v.svc.Can(r.staff, r.perm)
						}
					})
				}
			}
		})
	}
}

// temporaryService opens a Service on f's policy with one direct grant in
// ten (and, with members, one membership in ten) made temporary (until
// 2200), and checks it decides every request of f as f's Service does.
func temporaryService(b *testing.B, f *fixture, members bool) *rbac.Service {
	b.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(10, 10))
	until := rbac.Until(time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC))
	rules := make([]rbac.Rule, len(f.rules))
	n := 0
	for i, r := range f.rules {
		rules[i] = r
		if (members && r.Kind == rbac.RuleMember || r.Kind == rbac.RuleGrant && r.Subject.Staff != 0) && rng.IntN(10) == 0 {
			rules[i] = r.Within(until)
			n++
		}
	}
	dir, err := os.MkdirTemp("", "billingrbac-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	st, err := store.Open(ctx, dir+"/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	loadSQL(b, st, rules)
	svc, err := rbac.New(ctx, st, rbac.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = svc.Close(); _ = st.Close() })
	for _, reqs := range [][]request{f.mixed, f.cold, f.hot} {
		for _, r := range reqs {
			if got, want := svc.Can(r.staff, r.perm), f.svc.Can(r.staff, r.perm); got != want {
				b.Fatalf("%s %s: %v with temporary rules, %v without", r.staff, r.perm, got, want)
			}
		}
	}
	b.Logf("%s: %d temporary rules of %d", f.name, n, len(rules))
	return svc
}
