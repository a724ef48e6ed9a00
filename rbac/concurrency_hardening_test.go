package rbac_test

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// TestConcurrentDepartmentEditsOnPostgres: two instances (two pools, two
// Services) edit the same department at once, as docs/instances.md
// decides: every write takes the version row lock first, so they run one
// after the other and each sees the other's result. A changes the sort
// order and toggles one pair of permissions, B toggles client requests and
// another pair, concurrently; readers on both instances meanwhile check
// that each pair is held both-or-neither (no half-applied change). At the
// end: neither writer's fields were lost, the department's change log is a
// chain (each update's "before" is the previous update's "after"), the log
// is gap-free, and both instances agree with Casbin over the stored policy.
func TestConcurrentDepartmentEditsOnPostgres(t *testing.T) {
	if !slices.Contains(testdb.Backends(t), testdb.Postgres) {
		t.Skip("needs PostgreSQL (set " + testdb.EnvPostgres + ")")
	}
	ctx := context.Background()
	dsn := testdb.DSN(t, testdb.Postgres)
	mustNoErr(t, testdb.Open(t, dsn).Migrate(ctx))
	stA, a := instance(t, dsn, "hardening-a")
	_, b := instance(t, dsn, "hardening-b")
	boot, err := a.Bootstrap(ctx, rbac.BootstrapOptions{})
	mustNoErr(t, err)
	admin := boot.Admin.ID
	d, err := a.CreateDepartment(ctx, admin, rbac.NewDepartment{Name: rbac.Text(language.English, "Shared")})
	mustNoErr(t, err)
	member, err := a.CreateStaff(ctx, admin, rbac.NewStaff{Login: "member", FullName: rbac.Text(language.English, "M"),
		Departments: []rbac.DepartmentID{d.ID}})
	mustNoErr(t, err)
	waitFor(t, b, a.Version())

	pairA := []rbac.Permission{pInvoicesSend, pReports}
	pairB := []rbac.Permission{pSettingsEdit, pPayments}
	const rounds = 20
	var wg sync.WaitGroup
	errs := make(chan error, 4*rounds)
	wg.Add(2)
	go func() { // A: sort order and pair A
		defer wg.Done()
		for i := 1; i <= rounds; i++ {
			order := i
			if _, err := a.UpdateDepartment(ctx, admin, d.ID, rbac.DepartmentUpdate{SortOrder: &order}); err != nil {
				errs <- fmt.Errorf("A update: %w", err)
			}
			var err error
			if i%2 == 1 {
				err = a.EnablePermissions(ctx, admin, d.ID, pairA...)
			} else {
				err = a.DisablePermissions(ctx, admin, d.ID, pairA...)
			}
			if err != nil {
				errs <- fmt.Errorf("A permissions: %w", err)
			}
		}
	}()
	go func() { // B: client requests and pair B
		defer wg.Done()
		for i := 1; i <= rounds; i++ {
			accepts := i%2 == 1
			if _, err := b.UpdateDepartment(ctx, admin, d.ID, rbac.DepartmentUpdate{AcceptsClientRequests: &accepts}); err != nil {
				errs <- fmt.Errorf("B update: %w", err)
			}
			var err error
			if i%3 != 0 {
				err = b.EnablePermissions(ctx, admin, d.ID, pairB...)
			} else {
				err = b.DisablePermissions(ctx, admin, d.ID, pairB...)
			}
			if err != nil {
				errs <- fmt.Errorf("B permissions: %w", err)
			}
		}
	}()
	stop := make(chan struct{})
	var torn atomic.Value
	var readers sync.WaitGroup
	for _, svc := range []*rbac.Service{a, b} {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				got := svc.DepartmentPermissions(d.ID)
				for _, pair := range [][]rbac.Permission{pairA, pairB} {
					if slices.Contains(got, pair[0]) != slices.Contains(got, pair[1]) {
						torn.Store(fmt.Sprintf("half-applied permissions %v", got))
					}
				}
				eff := svc.EffectivePermissions(member.ID)
				has := func(p rbac.Permission) bool {
					return slices.ContainsFunc(eff, func(x rbac.EffectivePermission) bool { return x.Permission == p })
				}
				if has(pairA[0]) != has(pairA[1]) || has(pairB[0]) != has(pairB[1]) {
					torn.Store(fmt.Sprintf("half-applied member permissions %v", eff))
				}
				runtime.Gosched()
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if v := torn.Load(); v != nil {
		t.Fatal(v)
	}
	final := max(a.Version(), b.Version())
	waitFor(t, a, final)
	waitFor(t, b, final)

	// No lost update: each writer's last value of its own field stands.
	for _, svc := range []*rbac.Service{a, b} {
		got, err := svc.Department(ctx, d.ID)
		mustNoErr(t, err)
		if got.SortOrder != rounds || got.AcceptsClientRequests != (rounds%2 == 1) {
			t.Fatalf("department %+v: sort order %d (want %d), accepts %v (want %v)", got, got.SortOrder, rounds, got.AcceptsClientRequests, rounds%2 == 1)
		}
		want := []rbac.Permission{pSettingsEdit, pPayments} // A's last round disables pair A; B's enables pair B
		if perms := svc.DepartmentPermissions(d.ID); !sameSet(perms, want) {
			t.Fatalf("department permissions %v, want %v", perms, want)
		}
	}

	// Serialized: the department's updates form a chain.
	chs, err := a.AuditLog(ctx, admin, rbac.ChangeQuery{Target: rbac.DepartmentSubject(d.ID).String(), Op: rbac.OpDepartmentUpdate, Limit: 1000})
	mustNoErr(t, err)
	if len(chs) != 2*rounds {
		t.Fatalf("%d department updates logged, want %d", len(chs), 2*rounds)
	}
	for i := 1; i < len(chs); i++ {
		if prev, cur := withoutTimes(t, chs[i-1].After), withoutTimes(t, chs[i].Before); prev != cur {
			t.Fatalf("version %d started from %s, but version %d left %s: a lost update", chs[i].Version, cur, chs[i-1].Version, prev)
		}
	}
	var n, maxV int64
	mustNoErr(t, stA.DB().Raw(`SELECT COUNT(*), MAX(version) FROM billingrbac_changes`).Row().Scan(&n, &maxV))
	if n != final || maxV != final {
		t.Fatalf("change log has %d entries up to %d, want %d", n, maxV, final)
	}
	ids := []rbac.StaffID{admin, member.ID}
	agree(t, a, storedEnforcer(t, stA), ids, a.Catalog().Permissions())
	agree(t, b, storedEnforcer(t, stA), ids, b.Catalog().Permissions())
}

// withoutTimes drops the timestamps from a logged department.
func withoutTimes(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var m map[string]any
	mustNoErr(t, json.Unmarshal(raw, &m))
	delete(m, "UpdatedAt")
	delete(m, "CreatedAt")
	out, err := json.Marshal(m)
	mustNoErr(t, err)
	return string(out)
}

func sameSet(a, b []rbac.Permission) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	cmp := func(x, y rbac.Permission) int {
		if x.String() < y.String() {
			return -1
		}
		if x.String() > y.String() {
			return 1
		}
		return 0
	}
	slices.SortFunc(a, cmp)
	slices.SortFunc(b, cmp)
	return slices.Equal(a, b)
}
