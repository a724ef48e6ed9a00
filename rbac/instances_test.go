package rbac_test

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// instance is one application instance: its own pool, its own Service.
func instance(t *testing.T, dsn, name string) (*store.Store, *rbac.Service) {
	t.Helper()
	st := testdb.OpenWith(t, dsn, store.Options{ListenerName: name})
	svc, err := rbac.New(context.Background(), st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Close() })
	return st, svc
}

func waitFor(t *testing.T, svc *rbac.Service, v int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := svc.WaitFor(ctx, v); err != nil {
		t.Fatalf("instance did not reach version %d (at %d): %v", v, svc.Version(), err)
	}
}

func uniqueName(prefix string) string {
	var b [4]byte
	_, _ = crand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// TestTwoInstances: two instances on one PostgreSQL database, each with its
// own pool, kept in sync through LISTEN/NOTIFY and the change log.
func TestTwoInstances(t *testing.T) {
	if !slicesContains(testdb.Backends(t), testdb.Postgres) {
		t.Skip("needs PostgreSQL (set " + testdb.EnvPostgres + ")")
	}
	ctx := context.Background()
	dsn := testdb.DSN(t, testdb.Postgres)
	if err := testdb.Open(t, dsn).Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	stA, a := instance(t, dsn, uniqueName("a-"))
	boot, err := a.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	admin := boot.Admin.ID
	bName := uniqueName("b-")
	stB, b := instance(t, dsn, bName)
	waitFor(t, b, a.Version())

	john, err := a.CreateStaff(ctx, admin, rbac.NewStaff{Login: "john", FullName: rbac.Text(language.English, "John"),
		Departments: []rbac.DepartmentID{boot.Sales.ID}})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("revocation on A is denied on B once B reports the version", func(t *testing.T) {
		if err := a.Grant(ctx, admin, john.ID, pInvoicesSend); err != nil {
			t.Fatal(err)
		}
		waitFor(t, b, a.Version())
		if !b.Can(john.ID, pInvoicesSend) {
			t.Fatal("B does not see the grant")
		}
		if err := a.Revoke(ctx, admin, john.ID, pInvoicesSend); err != nil {
			t.Fatal(err)
		}
		waitFor(t, b, a.Version())
		if b.Can(john.ID, pInvoicesSend) {
			t.Fatal("B still allows a revoked permission")
		}
	})

	t.Run("B converges after its listening connection is killed", func(t *testing.T) {
		var killed int64
		err := stA.DB().Raw(`SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ?`, bName).Scan(&killed).Error
		if err != nil || killed != 1 {
			t.Fatalf("terminated %d listener connections (err %v), want 1", killed, err)
		}
		// Commit only once the connection is really gone, so the change can
		// reach B only through its reconnection and catch-up.
		deadline := time.Now().Add(10 * time.Second)
		for {
			var n int64
			if err := stA.DB().Raw(`SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = ?`, bName).Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("B's listening connection did not go away")
			}
			time.Sleep(time.Millisecond)
		}
		if err := a.Grant(ctx, admin, john.ID, pReports); err != nil {
			t.Fatal(err)
		}
		waitFor(t, b, a.Version())
		if !b.Can(john.ID, pReports) {
			t.Fatal("B missed a change made while it was disconnected")
		}
	})

	t.Run("200 concurrent changes from both sides", func(t *testing.T) {
		var staff []rbac.StaffID
		for i := range 6 {
			s, err := a.CreateStaff(ctx, admin, rbac.NewStaff{Login: fmt.Sprintf("conc%d", i),
				FullName: rbac.Text(language.English, "C")})
			if err != nil {
				t.Fatal(err)
			}
			staff = append(staff, s.ID)
		}
		waitFor(t, b, a.Version())
		perms := []rbac.Permission{pInvoicesSend, pInvoicesView, pReports, pPayments, pTickets}
		depts := []rbac.DepartmentID{boot.Sales.ID, boot.Support.ID}
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for w := range 4 {
			svc := a
			if w%2 == 1 {
				svc = b
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(w), 99))
				for range 50 {
					s, p, d := staff[rng.IntN(len(staff))], perms[rng.IntN(len(perms))], depts[rng.IntN(len(depts))]
					var err error
					switch rng.IntN(4) {
					case 0:
						err = svc.Grant(ctx, admin, s, p)
					case 1:
						err = svc.Revoke(ctx, admin, s, p)
					case 2:
						err = svc.AddToDepartment(ctx, admin, s, d)
					case 3:
						err = svc.RemoveFromDepartment(ctx, admin, s, d)
					}
					if err != nil && !errors.Is(err, rbac.ErrInheritedPermission) {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent change: %v", err)
		}
		final := max(a.Version(), b.Version())
		waitFor(t, a, final)
		waitFor(t, b, final)
		rules, version, err := stB.LoadPolicy(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if version != final {
			t.Fatalf("stored version %d, instances at %d", version, final)
		}
		ref, err := policy.NewEnforcer(rules)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range append(staff, admin, john.ID) {
			for _, p := range perms {
				want, _ := policy.Enforce(ref, s, p)
				if a.Can(s, p) != want || b.Can(s, p) != want {
					t.Fatalf("%s %s: stored policy says %v, A %v, B %v", s, p, want, a.Can(s, p), b.Can(s, p))
				}
			}
		}
		// Every version is in the change log exactly once, without gaps.
		var n, maxV int64
		if err := stA.DB().Raw(`SELECT COUNT(*), MAX(version) FROM billingrbac_changes`).Row().Scan(&n, &maxV); err != nil {
			t.Fatal(err)
		}
		if n != final || maxV != final {
			t.Fatalf("change log has %d entries up to %d, want %d", n, maxV, final)
		}
	})

	t.Run("same login created on both at once: one wins, the other gets ErrConflict", func(t *testing.T) {
		var wg sync.WaitGroup
		res := make([]error, 2)
		for i, svc := range []*rbac.Service{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, res[i] = svc.CreateStaff(ctx, admin, rbac.NewStaff{Login: "twin", FullName: rbac.Text(language.English, "T")})
			}()
		}
		wg.Wait()
		ok, conflict := 0, 0
		for _, err := range res {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, rbac.ErrConflict):
				conflict++
			default:
				t.Fatalf("unexpected error: %v", err)
			}
		}
		if ok != 1 || conflict != 1 {
			t.Fatalf("results %v, want one success and one ErrConflict", res)
		}
	})
}

func slicesContains(bs []testdb.Backend, b testdb.Backend) bool {
	for _, x := range bs {
		if x == b {
			return true
		}
	}
	return false
}

// TestCloseLeavesNoGoroutines: the listener starts and stops with the
// Service.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		dsn := testdb.DSN(t, b)
		defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
		ctx := context.Background()
		st, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := svc.Close(); err != nil {
			t.Fatal(err)
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateDepartment(ctx, 1, rbac.NewDepartment{Name: rbac.Text(language.English, "x")}); !errors.Is(err, rbac.ErrClosed) {
			t.Fatalf("write after Close: %v, want ErrClosed", err)
		}
	})
}
