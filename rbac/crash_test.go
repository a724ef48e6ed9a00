package rbac_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// Environment of the crash child: the database it writes and its seed.
const (
	envCrashDSN  = "BILLINGRBAC_CRASH_CHILD_DSN"
	envCrashSeed = "BILLINGRBAC_CRASH_CHILD_SEED"
)

// TestCrashChild is not a test on its own: TestCrashSafety re-executes the
// test binary with this test selected and envCrashDSN set, and the child
// applies random changes to that database until it is killed, printing
// one line per committed change.
func TestCrashChild(t *testing.T) {
	dsn := os.Getenv(envCrashDSN)
	if dsn == "" {
		t.Skip("runs only as TestCrashSafety's child process")
	}
	seed, _ := strconv.ParseUint(os.Getenv(envCrashSeed), 10, 64)
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		fmt.Println("FATAL open:", err)
		os.Exit(3)
	}
	svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	if err != nil {
		fmt.Println("FATAL new:", err)
		os.Exit(3)
	}
	admin, err := st.StaffByLogin(ctx, "admin")
	if err != nil {
		fmt.Println("FATAL admin:", err)
		os.Exit(3)
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	perms := svc.Catalog().Permissions()
	some := func() []rbac.Permission {
		out := []rbac.Permission{perms[rng.IntN(len(perms))]}
		for rng.IntN(2) == 0 {
			out = append(out, perms[rng.IntN(len(perms))])
		}
		return out
	}
	for i := 0; ; i++ {
		staff, err1 := svc.StaffMembers(ctx)
		depts, err2 := svc.Departments(ctx)
		if err := errors.Join(err1, err2); err != nil {
			fmt.Println("FATAL read:", err)
			os.Exit(3)
		}
		s, d := staff[rng.IntN(len(staff))].ID, depts[rng.IntN(len(depts))].ID
		name := fmt.Sprintf("c%d-%d", seed, i)
		switch rng.IntN(10) {
		case 0:
			_, err = svc.CreateDepartment(ctx, admin.ID, rbac.NewDepartment{Name: rbac.Text(language.English, name)})
		case 1:
			_, err = svc.CreateStaff(ctx, admin.ID, rbac.NewStaff{Login: name, FullName: rbac.Text(language.English, name),
				Departments: []rbac.DepartmentID{d}, Password: fmt.Sprint("crash test passphrase ", rng.Uint64())})
		case 2:
			err = svc.EnablePermissions(ctx, admin.ID, d, some()...)
		case 3:
			err = svc.DisablePermissions(ctx, admin.ID, d, some()...)
		case 4:
			err = svc.AddToDepartment(ctx, admin.ID, s, d)
		case 5:
			err = svc.Grant(ctx, admin.ID, s, some()...)
		case 6:
			err = svc.Revoke(ctx, admin.ID, s, some()...)
		case 7:
			full := rng.IntN(2) == 0
			_, err = svc.UpdateStaff(ctx, admin.ID, s, rbac.StaffUpdate{FullAccess: &full})
		case 8:
			if len(staff) > 6 {
				err = svc.DeleteStaff(ctx, admin.ID, s)
			}
		case 9:
			if len(depts) > 4 {
				err = svc.DeleteDepartment(ctx, admin.ID, d)
			}
		}
		if err != nil && !errors.Is(err, rbac.ErrPermissionDenied) && !errors.Is(err, rbac.ErrInheritedPermission) {
			fmt.Println("FATAL change:", err)
			os.Exit(3)
		}
		fmt.Println("version", svc.Version())
	}
}

// TestCrashSafety runs changes in a child process on a SQLite file and
// kills it with SIGKILL at random points, several rounds. After each kill
// the database reopens: Migrate is a no-op, the stored policy loads, a
// new Service's decisions equal Casbin's over the stored policy, the change
// log is gap-free up to billingrbac_state.version and every rule names existing
// staff members and departments.
func TestCrashSafety(t *testing.T) {
	if os.Getenv(envCrashDSN) != "" {
		t.Skip("child process")
	}
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "crash.db")
	func() {
		st := testdb.Open(t, dsn)
		mustNoErr(t, st.Migrate(ctx))
		svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
		mustNoErr(t, err)
		defer svc.Close()
		_, err = svc.Bootstrap(ctx, rbac.BootstrapOptions{})
		mustNoErr(t, err)
		mustNoErr(t, st.Close())
	}()
	rounds := 10
	if testing.Short() {
		rounds = 3
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	last := int64(0)
	for round := 0; round < rounds; round++ {
		seed := rng.Uint64()
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), envCrashDSN+"="+dsn, fmt.Sprintf("%s=%d", envCrashSeed, seed))
		out, err := cmd.StdoutPipe()
		mustNoErr(t, err)
		mustNoErr(t, cmd.Start())
		// Let it commit a random number of changes, then kill it after a
		// random delay, most likely in the middle of the next one. Every
		// version it reported must survive.
		want := 1 + rng.IntN(25)
		sc := bufio.NewScanner(out)
		got := 0
		committed := int64(0) // the last version the child reported committed
		var lines []string
		for got < want && sc.Scan() {
			lines = append(lines, sc.Text())
			v, ok := strings.CutPrefix(sc.Text(), "version ")
			if !ok {
				break
			}
			committed, _ = strconv.ParseInt(v, 10, 64)
			got++
		}
		time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
		_ = cmd.Process.Kill() // SIGKILL
		go func() {
			for sc.Scan() {
			}
		}()
		_ = cmd.Wait()
		if got < want {
			t.Fatalf("round %d: child stopped after %d changes: %q", round, got, lines)
		}
		v := checkAfterCrash(t, dsn)
		if v < committed || v < last {
			t.Fatalf("round %d: database at version %d, but the child had committed %d (previous round %d)", round, v, committed, last)
		}
		t.Logf("round %d (seed %d): killed after %d operations, child at version %d, database at %d", round, seed, got, committed, v)
		last = v
	}
}

// checkAfterCrash reopens dsn and checks everything TestCrashSafety
// promises; it returns the stored version.
func checkAfterCrash(t *testing.T, dsn string) int64 {
	t.Helper()
	ctx := context.Background()
	st := testdb.Open(t, dsn)
	defer st.Close()
	db := st.DB()
	schemaRows := testdb.Count(t, db, "billingrbac_schema")
	mustNoErr(t, st.Migrate(ctx))
	if n := testdb.Count(t, db, "billingrbac_schema"); n != schemaRows {
		t.Fatalf("Migrate after a crash was not a no-op: %d → %d schema rows", schemaRows, n)
	}
	rules, version, err := st.LoadPolicy(ctx)
	mustNoErr(t, err)
	var stateVersion int64
	mustNoErr(t, db.Raw(`SELECT version FROM billingrbac_state WHERE id = 1`).Scan(&stateVersion).Error)
	var versions []int64
	mustNoErr(t, db.Raw(`SELECT version FROM billingrbac_changes ORDER BY version`).Scan(&versions).Error)
	for i, v := range versions {
		if v != int64(i+1) {
			t.Fatalf("change log has a gap: %d at position %d", v, i+1)
		}
	}
	if int64(len(versions)) != stateVersion || version != stateVersion {
		t.Fatalf("change log ends at %d, billingrbac_state.version = %d, LoadPolicy version = %d", len(versions), stateVersion, version)
	}
	svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	mustNoErr(t, err)
	defer svc.Close()
	staff, err := svc.StaffMembers(ctx)
	mustNoErr(t, err)
	depts, err := svc.Departments(ctx)
	mustNoErr(t, err)
	var sids []rbac.StaffID
	for _, s := range staff {
		sids = append(sids, s.ID)
	}
	var dids []rbac.DepartmentID
	for _, d := range depts {
		dids = append(dids, d.ID)
	}
	for _, r := range rules {
		if r.Subject.Staff != 0 && !slices.Contains(sids, r.Subject.Staff) ||
			r.Subject.Department != 0 && !slices.Contains(dids, r.Subject.Department) ||
			r.Kind == rbac.RuleMember && !slices.Contains(dids, r.Department) {
			t.Fatalf("rule %v names a missing staff member or department (staff %v, departments %v)", r, sids, dids)
		}
	}
	for _, s := range staff {
		for _, d := range s.Departments {
			if !slices.Contains(dids, d) {
				t.Fatalf("staff %s in missing department %s", s.ID, d)
			}
		}
	}
	agree(t, svc, storedEnforcer(t, st), append(sids, 424242), svc.Catalog().Permissions())
	return stateVersion
}
