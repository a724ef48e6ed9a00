package rbac_test

import (
	"testing"

	"github.com/billingrbac/billingrbac/rbac"
)

// BenchmarkEffect: computing and authorizing the effect of a staged change
// (the in-memory part write adds before commit), by the full-access staff
// member 1 at every scale:
//   - grant: a direct grant to one staff member;
//   - membership: one staff member joins a department;
//   - department-1000: a permission given to a department of 1,000
//     members (all staff at S).
func BenchmarkEffect(b *testing.B) {
	for _, sc := range scales {
		b.Run(sc.name, func(b *testing.B) {
			w, _, svc := policyService(b, sc, false)
			f := struct {
				*world
				svc *rbac.Service
			}{w, svc}
			run := func(b *testing.B, d rbac.PolicyDelta, want int) {
				b.ReportAllocs()
				for b.Loop() {
					eff, err := f.svc.EffectForTest(1, d)
					if err != nil || want >= 0 && len(eff.Staff) != want {
						b.Fatalf("effect on %d staff (want %d), err %v", len(eff.Staff), want, err)
					}
				}
			}
			// An active staff member, not full access, and a permission
			// they lack.
			id, p := rbac.StaffID(2), f.perms[len(f.perms)-1]
			for f.svc.IsFullAccess(id) || !f.svc.Can(id, f.deptPerm[f.memberOf[id][0]][0]) || f.svc.Can(id, p) {
				id++
			}
			b.Run("grant", func(b *testing.B) {
				run(b, rbac.PolicyDelta{Add: []rbac.Rule{rbac.GrantRule(rbac.StaffSubject(id), p)}}, 1)
			})
			b.Run("membership", func(b *testing.B) {
				d := rbac.DepartmentID(1)
				for f.svc.IsMember(id, d) {
					d++
				}
				run(b, rbac.PolicyDelta{Add: []rbac.Rule{rbac.MemberRule(id, d)}}, -1)
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
				defer func() { f.svc.ApplyForTest(v+1, leave) }()
				p := rbac.Perm("fresh", "view") // held by nobody yet
				g := rbac.GrantRule(rbac.DepartmentSubject(dept), p)
				b.Run("effect", func(b *testing.B) {
					run(b, rbac.PolicyDelta{Add: []rbac.Rule{g}}, -1)
					b.ReportMetric(float64(members), "members")
				})
				// For comparison: applying the same change to the index, the
				// in-memory work a write did after commit before the effect
				// (now done once, with the effect, and published as built).
				b.Run("apply", func(b *testing.B) {
					b.ReportAllocs()
					v += 2
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
					if b.N%2 == 1 {
						v++
						f.svc.ApplyForTest(v, rbac.PolicyDelta{Remove: []rbac.Rule{g}})
					}
				})
			})
		})
	}
}
