package rbac_test

import (
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/casbin/casbin/v2"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/rbac"
)

// BenchmarkWhoCan: who may perform a permission, for the catalog's most
// popular permission ("popular": held by about 70% of the staff at M and L)
// and cycling through the whole catalog ("catalog"): WhoCan's answer
// ("library"), and that answer read holder by holder with its reasons
// ("library-all"). Baselines in the same
// run: the dense bitset's scan of every row and the map of sets' scan of
// every staff member; Casbin's GetImplicitUsersForPermission (one Enforce
// per subject) only at S, where it still finishes.
func BenchmarkWhoCan(b *testing.B) {
	for _, sc := range scales {
		b.Run(sc.name, func(b *testing.B) {
			f := getFixture(b, sc)
			// The answer is checked before anything is timed: the holders
			// are the bitset's, each with the reasons Explain gives.
			for _, p := range []rbac.Permission{f.perms[0], f.perms[len(f.perms)/2]} {
				hs := f.svc.WhoCan(p)
				if want := f.bits.whoCan(p); !slices.Equal(slices.Collect(f.svc.WhoCanIDs(p)), want) || hs.Len() != len(want) {
					b.Fatalf("WhoCan(%s): %d holders, the bitset has %d", p, hs.Len(), len(want))
				}
				for h := range hs.All() {
					if d := f.svc.Explain(h.Staff, p); !slices.Equal(h.Sources, d.Sources) {
						b.Fatalf("WhoCan(%s): %s has %v, Explain says %v", p, h.Staff, h.Sources, d.Sources)
					}
				}
			}
			for _, kind := range []struct {
				name  string
				perms []rbac.Permission
			}{{"popular", f.perms[:1]}, {"catalog", f.perms}} {
				perms := kind.perms
				b.Run(kind.name+"/library", func(b *testing.B) {
					b.ReportAllocs()
					defer cpuMetric(b)()
					n := 0
					for i := 0; b.Loop(); i++ {
						n += f.svc.WhoCan(perms[i%len(perms)]).Len()
					}
					b.ReportMetric(float64(n)/float64(b.N), "holders/op")
				})
				// WhoCan, then every holder's reasons read as []Source
				b.Run(kind.name+"/library-all", func(b *testing.B) {
					b.ReportAllocs()
					defer cpuMetric(b)()
					n := 0
					for i := 0; b.Loop(); i++ {
						for h := range f.svc.WhoCan(perms[i%len(perms)]).All() {
							n += len(h.Sources)
						}
					}
					b.ReportMetric(float64(n)/float64(b.N), "sources/op")
				})
				b.Run(kind.name+"/library-ids", func(b *testing.B) {
					b.ReportAllocs()
					defer cpuMetric(b)()
					n := 0
					for i := 0; b.Loop(); i++ {
						p := perms[i%len(perms)]
						ids := make([]rbac.StaffID, 0, f.svc.WhoCanCount(p))
						n += len(slices.AppendSeq(ids, f.svc.WhoCanIDs(p)))
					}
					b.ReportMetric(float64(n)/float64(b.N), "holders/op")
				})
				b.Run(kind.name+"/library-count", func(b *testing.B) {
					b.ReportAllocs()
					defer cpuMetric(b)()
					n := 0
					for i := 0; b.Loop(); i++ {
						n += f.svc.WhoCanCount(perms[i%len(perms)])
					}
					b.ReportMetric(float64(n)/float64(b.N), "holders/op")
				})
				b.Run(kind.name+"/library-page50", func(b *testing.B) {
					b.ReportAllocs()
					defer cpuMetric(b)()
					for i := 0; b.Loop(); i++ {
						p := perms[i%len(perms)]
						// a page from the middle of the answer
						holderSink = f.svc.WhoCanPage(p, rbac.StaffID(f.staff/2), 50)
					}
				})
				b.Run(kind.name+"/bitset-count", func(b *testing.B) {
					b.ReportAllocs()
					defer cpuMetric(b)()
					n := 0
					for i := 0; b.Loop(); i++ {
						n += f.bits.count(perms[i%len(perms)])
					}
					b.ReportMetric(float64(n)/float64(b.N), "holders/op")
				})
				b.Run(kind.name+"/bitset-scan", func(b *testing.B) {
					b.ReportAllocs()
					defer cpuMetric(b)()
					n := 0
					for i := 0; b.Loop(); i++ {
						n += len(f.bits.whoCan(perms[i%len(perms)]))
					}
					b.ReportMetric(float64(n)/float64(b.N), "holders/op")
				})
				b.Run(kind.name+"/mapset-scan", func(b *testing.B) {
					b.ReportAllocs()
					defer cpuMetric(b)()
					for i := 0; b.Loop(); i++ {
						p := perms[i%len(perms)]
						var out []rbac.StaffID
						for id, set := range f.sets {
							if _, ok := set[p]; ok {
								out = append(out, id)
							}
						}
						slices.Sort(out)
					}
				})
				if sc.name != "S" {
					continue
				}
				b.Run(kind.name+"/casbin", func(b *testing.B) {
					plain, _ := f.enforcers(b)
					e := plain.(*casbin.Enforcer)
					b.ReportAllocs()
					defer cpuMetric(b)()
					for i := 0; b.Loop(); i++ {
						p := perms[i%len(perms)]
						if _, err := e.GetImplicitUsersForPermission(string(p.Function), string(p.Action)); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkEffectivePermissions: one staff member's effective permissions
// with their sources, as an admin screen shows them, cycling through the
// first 4,096 staff members. Baselines: copying the keys of the map of
// sets, and Casbin's GetImplicitPermissionsForUser.
func BenchmarkEffectivePermissions(b *testing.B) {
	for _, sc := range scales {
		b.Run(sc.name, func(b *testing.B) {
			f := getFixture(b, sc)
			n := min(f.staff, 4096)
			b.Run("library", func(b *testing.B) {
				b.ReportAllocs()
				defer cpuMetric(b)()
				perms := 0
				for i := 0; b.Loop(); i++ {
					perms += len(f.svc.EffectivePermissions(rbac.StaffID(1 + i%n)))
				}
				b.ReportMetric(float64(perms)/float64(b.N), "perms/op")
			})
			b.Run("mapset-keys", func(b *testing.B) {
				b.ReportAllocs()
				defer cpuMetric(b)()
				for i := 0; b.Loop(); i++ {
					_ = slices.Collect(maps.Keys(f.sets[rbac.StaffID(1+i%n)]))
				}
			})
			b.Run("casbin", func(b *testing.B) {
				plain, _ := f.enforcers(b)
				e := plain.(*casbin.Enforcer)
				b.ReportAllocs()
				defer cpuMetric(b)()
				for i := 0; b.Loop(); i++ {
					if _, err := e.GetImplicitPermissionsForUser(policy.Staff(rbac.StaffID(1 + i%n))); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

var (
	errSink    error
	holderSink []rbac.Holder
)

// BenchmarkCheckDenied: Check on denied requests (it returns a
// *DeniedError), beside Can on the same requests.
func BenchmarkCheckDenied(b *testing.B) {
	for _, sc := range scales {
		b.Run(sc.name, func(b *testing.B) {
			f := getFixture(b, sc)
			reqs := f.denied
			mask := len(reqs) - 1
			b.Run("check", func(b *testing.B) {
				b.ReportAllocs()
				defer cpuMetric(b)()
				for i := 0; b.Loop(); i++ {
					r := reqs[i&mask]
					errSink = f.svc.Check(r.staff, r.perm)
				}
				if !errors.Is(errSink, rbac.ErrPermissionDenied) {
					b.Fatalf("Check = %v", errSink)
				}
			})
			b.Run("can", func(b *testing.B) {
				b.ReportAllocs()
				defer cpuMetric(b)()
				for i := 0; b.Loop(); i++ {
					r := reqs[i&mask]
					sink = f.svc.Can(r.staff, r.perm)
				}
			})
		})
	}
}
