package rbac_test

import (
	"context"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// heapPeak samples the heap while fn runs and returns the peak above the
// heap before it, in MiB. The collector runs at GOGC=10 meanwhile, so the
// peak follows live memory rather than garbage not yet collected.
func heapPeak(fn func()) float64 {
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	fn()
	close(stop)
	<-done
	if peak.Load() < base {
		return 0
	}
	return float64(peak.Load()-base) / (1 << 20)
}

// A refused call hashes nothing: 64 concurrent ResetPassword and
// CreateStaff calls from actors the rules refuse (no staff rights; staff
// rights without the target's reports:view, the takeover of issue 14) at
// the production parameters (19 MiB each) start no Argon2id evaluation,
// and the heap stays small. Evaluations are counted; the heap is reported.
func TestRefusedCallsDoNoHashing(t *testing.T) {
	ctx := context.Background()
	st := testdb.Open(t, testdb.DSN(t, testdb.SQLite))
	require.NoError(t, st.Migrate(ctx))
	svc, err := rbac.New(ctx, st, rbac.Options{}) // DefaultHashParams
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	require.NoError(t, err)
	admin := boot.Admin.ID
	mk := func(login string, depts ...rbac.DepartmentID) rbac.StaffID {
		s, err := svc.CreateStaff(ctx, admin, rbac.NewStaff{Login: login, FullName: rbac.Text(language.English, login), Departments: depts})
		require.NoError(t, err)
		return s.ID
	}
	managers, err := svc.CreateDepartment(ctx, admin, rbac.NewDepartment{Name: rbac.Text(language.English, "Staff managers")})
	require.NoError(t, err)
	require.NoError(t, svc.EnablePermissions(ctx, admin, managers.ID, pStaffEdit, pStaffAdd))
	finance, err := svc.CreateDepartment(ctx, admin, rbac.NewDepartment{Name: rbac.Text(language.English, "Finance")})
	require.NoError(t, err)
	require.NoError(t, svc.EnablePermissions(ctx, admin, finance.ID, pReports))
	clerk := mk("clerk")
	manager := mk("manager", managers.ID)
	victim := mk("victim", finance.ID)
	log := observe(svc)

	const n = 64
	peak := heapPeak(func() {
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				var err error
				switch i % 4 {
				case 0:
					_, err = svc.ResetPassword(ctx, clerk, victim)
				case 1:
					_, err = svc.ResetPassword(ctx, manager, victim) // takeover
				case 2:
					_, err = svc.CreateStaff(ctx, clerk, rbac.NewStaff{Login: "new", FullName: rbac.Text(language.English, "N"), Password: goodPW})
				case 3:
					_, err = svc.CreateStaff(ctx, manager, rbac.NewStaff{Login: "new", FullName: rbac.Text(language.English, "N"),
						Password: goodPW, Departments: []rbac.DepartmentID{finance.ID}})
				}
				require.ErrorIs(t, err, rbac.ErrPermissionDenied)
			})
		}
		wg.Wait()
	})
	require.Empty(t, log.take(), "a refused call started an Argon2id evaluation")
	t.Logf("%d concurrent refused calls: heap peak +%.1f MiB", n, peak)
	require.Less(t, peak, 32.0, "refused calls held %.1f MiB", peak)
}

// Every hash the Service makes goes through its pool: with one slot at 19
// MiB, 16 concurrent sign-ins, resets and creations (all allowed) never
// hold more than one evaluation's memory at once.
func TestAcceptedHashesShareOnePool(t *testing.T) {
	ctx := context.Background()
	st := testdb.Open(t, testdb.DSN(t, testdb.SQLite))
	require.NoError(t, st.Migrate(ctx))
	svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{MaxConcurrentHashes: 1}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	require.NoError(t, err)
	log := observe(svc)
	var wg sync.WaitGroup
	peak := heapPeak(func() {
		for i := range 16 {
			wg.Go(func() {
				var err error
				switch i % 3 {
				case 0:
					_, err = svc.Authenticate(ctx, "admin", boot.AdminPassword)
				case 1:
					_, err = svc.Authenticate(ctx, "ghost", goodPW)
					require.ErrorIs(t, err, rbac.ErrBadCredentials)
					err = nil
				case 2:
					_, err = svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "user" + string(rune('a'+i)), FullName: rbac.Text(language.English, "P"), Password: goodPW})
				}
				require.NoError(t, err)
			})
		}
		wg.Wait()
	})
	require.Len(t, log.take(), 16, "every sign-in and creation made exactly one evaluation")
	t.Logf("16 concurrent hashes at 19 MiB through a 1-slot pool: heap peak +%.1f MiB", peak)
	require.Less(t, peak, 80.0, "heap peak %.1f MiB: the pool does not bound concurrent hashes (16 × 19 MiB unbounded)", peak)
}
