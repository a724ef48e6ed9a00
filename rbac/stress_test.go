package rbac_test

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// TestStressChecksDuringWrites runs many readers (Can, Explain, WhoCan,
// EffectivePermissions) while writers grant and revoke, move a staff
// member between departments and toggle full access and status. Every
// writer keeps an invariant that any committed state satisfies but a
// half-applied change would break, and every read asserts it:
//
//   - pair: two permissions are only ever granted to staff member P
//     together, in one Grant, and revoked together: P's effective
//     permissions hold both or neither.
//   - department: department D only ever enables or disables its two
//     permissions together, or is disabled as a whole; its three members
//     hold both or neither, and WhoCan lists all three or none of them.
//   - mover: M is moved between A and B by joining the new one before
//     leaving the old one, so M always holds A's marker or B's (or both).
//   - flags: F, with one direct grant, toggles full access and status: F
//     holds exactly every catalog permission, exactly the grant, or
//     nothing.
//   - the admin is never touched and may do everything; the version a
//     reader sees never goes back.
//
// Run it with -race.
func TestStressChecksDuringWrites(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		pair := []rbac.Permission{pInvoicesSend, pReports}
		dq := []rbac.Permission{pServicesView, pClientsView}
		markA, markB := pInvoicesView, pSettingsEdit
		d := e.dept("D", dq...)
		a, bb := e.dept("A", markA), e.dept("B", markB)
		p := e.staff("pair")
		ms := []rbac.StaffID{e.staff("member1", d), e.staff("member2", d), e.staff("member3", d)}
		m := e.staff("mover", a)
		f := e.staff("flags")
		if err := e.svc.Grant(e.ctx, e.admin, f, pPayments); err != nil {
			t.Fatal(err)
		}
		catalog := e.svc.Catalog().Permissions()
		rounds := 20
		if testing.Short() {
			rounds = 10
		}

		var failed atomic.Bool
		var mu sync.Mutex
		var first error
		fail := func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			if first == nil {
				first = fmt.Errorf(format, args...)
			}
			failed.Store(true)
		}
		must := func(err error) {
			if err != nil {
				fail("write: %v", err)
			}
		}
		yes, no := true, false
		writers := []func(i int){
			func(i int) { // pair
				if i%2 == 0 {
					must(e.svc.Grant(e.ctx, e.admin, p, pair...))
				} else {
					must(e.svc.Revoke(e.ctx, e.admin, p, pair...))
				}
			},
			func(i int) { // department
				switch i % 4 {
				case 0:
					must(e.svc.DisablePermissions(e.ctx, e.admin, d, dq...))
				case 1:
					must(e.svc.EnablePermissions(e.ctx, e.admin, d, dq...))
				case 2:
					st := rbac.StatusDisabled
					_, err := e.svc.UpdateDepartment(e.ctx, e.admin, d, rbac.DepartmentUpdate{Status: &st})
					must(err)
				case 3:
					st := rbac.StatusActive
					_, err := e.svc.UpdateDepartment(e.ctx, e.admin, d, rbac.DepartmentUpdate{Status: &st})
					must(err)
				}
			},
			func(i int) { // mover: join the new department, then leave the old one
				from, to := a, bb
				if i%2 == 1 {
					from, to = bb, a
				}
				must(e.svc.AddToDepartment(e.ctx, e.admin, m, to))
				must(e.svc.RemoveFromDepartment(e.ctx, e.admin, m, from))
			},
			func(i int) { // flags
				var err error
				switch i % 4 {
				case 0:
					_, err = e.svc.UpdateStaff(e.ctx, e.admin, f, rbac.StaffUpdate{FullAccess: &yes})
				case 1:
					st := rbac.StatusDisabled
					_, err = e.svc.UpdateStaff(e.ctx, e.admin, f, rbac.StaffUpdate{Status: &st})
				case 2:
					_, err = e.svc.UpdateStaff(e.ctx, e.admin, f, rbac.StaffUpdate{FullAccess: &no})
				case 3:
					st := rbac.StatusActive
					_, err = e.svc.UpdateStaff(e.ctx, e.admin, f, rbac.StaffUpdate{Status: &st})
				}
				must(err)
			},
		}

		has := func(eff []rbac.EffectivePermission, q rbac.Permission) bool {
			return slices.ContainsFunc(eff, func(x rbac.EffectivePermission) bool { return x.Permission == q })
		}
		perms := func(eff []rbac.EffectivePermission) []rbac.Permission {
			out := make([]rbac.Permission, len(eff))
			for i, x := range eff {
				out[i] = x.Permission
			}
			return out
		}
		checks := []func() error{
			func() error {
				eff := e.svc.EffectivePermissions(p)
				if has(eff, pair[0]) != has(eff, pair[1]) {
					return fmt.Errorf("torn pair grant: %v", perms(eff))
				}
				return nil
			},
			func() error {
				for _, s := range ms {
					eff := e.svc.EffectivePermissions(s)
					if has(eff, dq[0]) != has(eff, dq[1]) {
						return fmt.Errorf("torn department permissions on %s: %v", s, perms(eff))
					}
				}
				return nil
			},
			func() error {
				n := 0
				for h := range e.svc.WhoCan(dq[0]).All() {
					if slices.Contains(ms, h.Staff) {
						n++
						if len(h.Sources) != 1 || h.Sources[0] != (rbac.Source{Kind: rbac.SourceDepartment, Department: d}) {
							return fmt.Errorf("WhoCan(%s): %s has sources %v", dq[0], h.Staff, h.Sources)
						}
					}
				}
				if n != 0 && n != len(ms) {
					return fmt.Errorf("WhoCan(%s) lists %d of the %d members of D", dq[0], n, len(ms))
				}
				return nil
			},
			func() error {
				eff := e.svc.EffectivePermissions(m)
				if !has(eff, markA) && !has(eff, markB) {
					return fmt.Errorf("mover holds neither marker: %v", perms(eff))
				}
				return nil
			},
			func() error {
				for _, q := range []rbac.Permission{markA, markB} {
					dec := e.svc.Explain(m, q)
					if dec.Allowed && (len(dec.Sources) != 1 || dec.Sources[0].Kind != rbac.SourceDepartment) {
						return fmt.Errorf("Explain(mover, %s) = %s", q, dec)
					}
				}
				return nil
			},
			func() error {
				got := perms(e.svc.EffectivePermissions(f))
				if len(got) != 0 && !slices.Equal(got, []rbac.Permission{pPayments}) && !slices.Equal(got, catalog) {
					return fmt.Errorf("flags holds %v: neither nothing, the grant nor everything", got)
				}
				return nil
			},
			func() error {
				for _, q := range catalog {
					if !e.svc.Can(e.admin, q) {
						return fmt.Errorf("admin lost %s", q)
					}
				}
				if e.svc.Can(p, pSettingsEdit) || e.svc.Can(999999, pReports) {
					return errors.New("a permission nobody grants was allowed")
				}
				return nil
			},
			func() error {
				for _, q := range pair {
					dec := e.svc.Explain(p, q)
					if dec.Allowed != (len(dec.Sources) > 0) || dec.Allowed && dec.Sources[0].Kind != rbac.SourceDirect {
						return fmt.Errorf("Explain(pair, %s) = %+v", q, dec)
					}
				}
				return nil
			},
		}

		stop := make(chan struct{})
		var readers, writing sync.WaitGroup
		var reads atomic.Int64
		for r := 0; r < 4; r++ {
			readers.Add(1)
			go func() {
				defer readers.Done()
				last := int64(0)
				for i := r; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					v := e.svc.Version()
					if v < last {
						fail("version went back from %d to %d", last, v)
					}
					last = v
					if err := checks[i%len(checks)](); err != nil {
						fail("reader %d: %v", r, err)
					}
					reads.Add(1)
					runtime.Gosched() // let the writers in: readers must not starve them on two cores
				}
			}()
		}
		for _, w := range writers {
			writing.Add(1)
			go func() {
				defer writing.Done()
				for i := 0; i < rounds && !failed.Load(); i++ {
					w(i)
				}
			}()
		}
		writing.Wait()
		close(stop)
		readers.Wait()
		if first != nil {
			t.Fatal(first)
		}
		t.Logf("%d reads during %d writes", reads.Load(), e.svc.Version())
		agree(t, e.svc, storedEnforcer(t, e.st), append([]rbac.StaffID{e.admin, p, m, f}, ms...), catalog)
	})
}
