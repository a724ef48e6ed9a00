package rbac_test

import (
	"context"
	"os"
	"runtime"
	"slices"
	"testing"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// BenchmarkMillion: one million staff members in 10,000 departments (the
// same catalog and shapes as the other scales), held in memory: the index
// is built by applying the whole generated policy as one change to a
// Service on an empty SQLite database (seeding a database with it waits
// for the bulk import path). Checks on the same request mixes as
// BenchmarkCheck (cold: 65,536 requests over all staff; hot: 64 staff),
// beside the dense bitset, and the heap the index keeps per staff member.
// Set BILLINGRBAC_BENCH_1M=1 to run it: it needs a few GiB and minutes.
func BenchmarkMillion(b *testing.B) {
	if os.Getenv("BILLINGRBAC_BENCH_1M") == "" {
		b.Skip("set BILLINGRBAC_BENCH_1M=1 to run the one-million-staff benchmark")
	}
	f := millionFixture(b)
	for _, kind := range []struct {
		name string
		reqs []request
	}{{"allowed", f.allowed}, {"denied", f.denied}, {"cold", f.cold}, {"hot", f.hot}} {
		reqs := kind.reqs
		mask := len(reqs) - 1
		b.Run(kind.name+"/library", func(b *testing.B) {
			b.ReportAllocs()
			defer cpuMetric(b)()
			for i := 0; b.Loop(); i++ {
				r := reqs[i&mask]
				sink = f.svc.Can(r.staff, r.perm)
			}
		})
		b.Run(kind.name+"/bitset", func(b *testing.B) {
			b.ReportAllocs()
			defer cpuMetric(b)()
			for i := 0; b.Loop(); i++ {
				sink = f.bits.can(reqs[i&mask])
			}
		})
	}
	b.Run("heap", func(b *testing.B) {
		for b.Loop() {
		}
		b.ReportMetric(f.heap/float64(f.staff), "B/staff")
		b.ReportMetric(f.heap/(1<<20), "heap-MiB")
	})
	b.Run("whocan-count", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			_ = f.svc.WhoCanCount(f.perms[i%len(f.perms)])
		}
	})
	// WhoCan on the most popular permission, beside the bitset's scan;
	// first checked: the bitset's holders, each with Explain's reasons
	hs := f.svc.WhoCan(f.perms[0])
	if want := f.bits.whoCan(f.perms[0]); !slices.Equal(slices.Collect(f.svc.WhoCanIDs(f.perms[0])), want) || hs.Len() != len(want) {
		b.Fatalf("WhoCan: %d holders, the bitset has %d", hs.Len(), len(want))
	}
	for h := range hs.All() {
		if d := f.svc.Explain(h.Staff, f.perms[0]); !slices.Equal(h.Sources, d.Sources) {
			b.Fatalf("WhoCan: %s has %v, Explain says %v", h.Staff, h.Sources, d.Sources)
		}
	}
	b.Run("whocan-popular/library", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuMetric(b)()
		n := 0
		for b.Loop() {
			n += f.svc.WhoCan(f.perms[0]).Len()
		}
		b.ReportMetric(float64(n)/float64(b.N), "holders/op")
	})
	b.Run("whocan-popular/bitset-scan", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuMetric(b)()
		n := 0
		for b.Loop() {
			n += len(f.bits.whoCan(f.perms[0]))
		}
		b.ReportMetric(float64(n)/float64(b.N), "holders/op")
	})
	b.Run("whocan-page50", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuMetric(b)()
		for i := 0; b.Loop(); i++ {
			holderSink = f.svc.WhoCanPage(f.perms[i%len(f.perms)], rbac.StaffID(f.staff/2), 50)
		}
	})
	b.Run("effective-permissions", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuMetric(b)()
		for i := 0; b.Loop(); i++ {
			_ = f.svc.EffectivePermissions(rbac.StaffID(1 + (i*7919)%f.staff))
		}
	})
}

type million struct {
	*world
	svc  *rbac.Service
	bits *denseBits
	heap float64 // bytes the index keeps
}

var millionOnce struct{ f *million }

func millionFixture(b *testing.B) *million {
	b.Helper()
	fixturesMu.Lock()
	defer fixturesMu.Unlock()
	if m := millionOnce.f; m != nil {
		return m
	}
	w := generate(scale{"1M", 10_000, 1_000_000}, 7)
	st := testdb.New(b, testdb.SQLite)
	svc, err := rbac.New(context.Background(), st, rbac.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	if !svc.ApplyForTest(svc.Version()+1, rbac.PolicyDelta{Add: w.rules}) {
		b.Fatal("apply refused")
	}
	runtime.GC()
	runtime.ReadMemStats(&ms1)
	m := &million{world: w, svc: svc, heap: float64(ms1.HeapAlloc) - float64(ms0.HeapAlloc)}
	m.bits = newDenseBits(w)
	w.rules = nil
	w.requests(func(r request) bool { return svc.Can(r.staff, r.perm) }, 4096)
	for _, r := range w.cold {
		if m.bits.can(r) != svc.Can(r.staff, r.perm) {
			b.Fatalf("%s %s: library %v, bitset %v", r.staff, r.perm, svc.Can(r.staff, r.perm), m.bits.can(r))
		}
	}
	millionOnce.f = m
	return m
}
