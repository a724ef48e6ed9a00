package rbac_test

import (
	"context"
	"testing"

	"github.com/billingrbac/billingrbac/rbac"
)

// BenchmarkCanTelemetry is Can with telemetry off (the fixture's Service)
// and on (a second Service on the same store with an SDK meter and tracer
// provider: every decision counted per permission), on the allowed and
// denied request sets of scales S and M.
func BenchmarkCanTelemetry(b *testing.B) {
	for _, sc := range scales[:2] {
		f := getFixture(b, sc)
		on, err := rbac.New(context.Background(), f.st, rbac.Options{Telemetry: newOtelKit().tel})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = on.Close() })
		for _, kind := range []struct {
			name string
			reqs []request
		}{{"allowed", f.allowed}, {"denied", f.denied}} {
			for _, svc := range []struct {
				name string
				s    *rbac.Service
			}{{"off", f.svc}, {"on", on}} {
				reqs := kind.reqs
				mask := len(reqs) - 1
				b.Run(sc.name+"/"+kind.name+"/"+svc.name, func(b *testing.B) {
					b.ReportAllocs()
					defer cpuMetric(b)()
					for i := 0; b.Loop(); i++ {
						r := reqs[i&mask]
						sink = svc.s.Can(r.staff, r.perm)
					}
				})
			}
		}
	}
}
