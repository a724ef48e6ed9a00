package rbac_test

import (
	"math/rand/v2"
	"testing"
)

var sink bool

// BenchmarkCheck compares one permission check at every scale, in one run:
// the library's decision index, the map of effective-permission sets over
// all staff, the dense bitset, casbin.Enforcer and
// casbin.SyncedCachedEnforcer. Request mixes: allowed and denied (4,096
// each, staff drawn from everybody), cold (65,536 requests, staff uniform
// over everybody, so rows rarely sit in a cache) and hot (64 staff members).
func BenchmarkCheck(b *testing.B) {
	for _, sc := range scales {
		b.Run(sc.name, func(b *testing.B) { benchCheck(b, getFixture(b, sc)) })
	}
}

func benchCheck(b *testing.B, f *fixture) {
	for _, kind := range []struct {
		name string
		reqs []request
	}{{"allowed", f.allowed}, {"denied", f.denied}, {"cold", f.cold}, {"hot", f.hot}} {
		reqs := kind.reqs
		mask := len(reqs) - 1 // a power of two
		b.Run(kind.name+"/library", func(b *testing.B) {
			b.ReportAllocs()
			defer cpuMetric(b)()
			for i := 0; b.Loop(); i++ {
				r := reqs[i&mask]
				sink = f.svc.Can(r.staff, r.perm)
			}
		})
		b.Run(kind.name+"/mapset", func(b *testing.B) {
			b.ReportAllocs()
			defer cpuMetric(b)()
			for i := 0; b.Loop(); i++ {
				sink = f.sets.can(reqs[i&mask])
			}
		})
		b.Run(kind.name+"/bitset", func(b *testing.B) {
			b.ReportAllocs()
			defer cpuMetric(b)()
			for i := 0; b.Loop(); i++ {
				sink = f.bits.can(reqs[i&mask])
			}
		})
		if kind.name == "cold" || kind.name == "hot" {
			continue // Casbin's cost does not depend on where the rows sit
		}
		b.Run(kind.name+"/casbin", func(b *testing.B) {
			plain, _ := f.enforcers(b)
			b.ReportAllocs()
			defer cpuMetric(b)()
			for i := 0; b.Loop(); i++ {
				sink = enforce(plain, reqs[i&mask])
			}
		})
		b.Run(kind.name+"/casbin-cached", func(b *testing.B) {
			_, cached := f.enforcers(b)
			b.ReportAllocs()
			defer cpuMetric(b)()
			for i := 0; b.Loop(); i++ {
				sink = enforce(cached, reqs[i&mask])
			}
		})
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
	mask := len(reqs) - 1
	run := func(name string, setup func(b *testing.B) func(request) bool) {
		b.Run(name, func(b *testing.B) {
			check := setup(b)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := rand.IntN(len(reqs))
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
	run("mapset", func(*testing.B) func(request) bool { return f.sets.can })
	run("bitset", func(*testing.B) func(request) bool { return f.bits.can })
	run("casbin", func(b *testing.B) func(request) bool {
		plain, _ := f.enforcers(b)
		return func(r request) bool { return enforce(plain, r) }
	})
	run("casbin-cached", func(b *testing.B) func(request) bool {
		_, cached := f.enforcers(b)
		return func(r request) bool { return enforce(cached, r) }
	})
}
