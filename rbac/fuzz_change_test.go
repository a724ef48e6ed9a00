package rbac_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// fuzzPerms is the permission alphabet of FuzzChangeSequence.
var fuzzPerms = []rbac.Permission{pInvoicesSend, pInvoicesView, pReports, pSettingsEdit, pTickets, pPayments, pStaffEdit, pDeptEdit}

// FuzzChangeSequence decodes its input into a sequence of administrative
// operations (three bytes each: operation, operand, operand) applied
// through the Service on SQLite by the admin or by another staff member.
// After every operation that committed (the version moved) the in-memory
// decisions must equal Casbin's over the stored policy; an operation that
// failed must not move the version; errors must be documented ones; and
// nothing may panic; at the end a Service reopened on the database agrees
// too.
func FuzzChangeSequence(f *testing.F) {
	for _, seed := range [][]byte{
		{0, 0, 0, 1, 0, 3, 4, 1, 0},
		{1, 1, 7, 2, 0, 2, 5, 1, 9, 6, 1, 0},
		{1, 0, 0, 8, 1, 1, 9, 1, 0, 3, 1, 255, 10, 0, 0},
		{0, 0, 0, 1, 1, 1, 12, 1, 3, 11, 1, 1, 7, 2, 2},
		{1, 2, 0x83, 13, 2, 0, 14, 2, 1, 15, 1, 4},
	} {
		f.Add(seed)
	}
	tmpl := newTemplate(f)
	f.Fuzz(func(t *testing.T, data []byte) { runChangeSequence(t, tmpl.env(t), data) })
}

// envTemplate is a migrated, bootstrapped SQLite file that each fuzz input
// copies instead of migrating and bootstrapping again.
type envTemplate struct {
	path string
	boot rbac.BootstrapResult
}

func newTemplate(tb testing.TB) envTemplate {
	tb.Helper()
	ctx := context.Background()
	path := filepath.Join(tb.TempDir(), "template.db")
	st, err := store.Open(ctx, path)
	mustNoErr(tb, err)
	defer st.Close()
	mustNoErr(tb, st.Migrate(ctx))
	svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	mustNoErr(tb, err)
	defer svc.Close()
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	mustNoErr(tb, err)
	return envTemplate{path: path, boot: boot}
}

// env opens a private copy of the template.
func (tp envTemplate) env(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "billingrbac.db")
	data, err := os.ReadFile(tp.path)
	mustNoErr(t, err)
	mustNoErr(t, os.WriteFile(dsn, data, 0o600))
	st := testdb.Open(t, dsn)
	svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	mustNoErr(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	return &env{t: t, ctx: ctx, dsn: dsn, st: st, svc: svc, boot: tp.boot, admin: tp.boot.Admin.ID}
}

// runChangeSequence is FuzzChangeSequence's body.
func runChangeSequence(t *testing.T, e *env, data []byte) {
	{
		if len(data) > 3*24 {
			data = data[:3*24] // bounded work per input
		}
		depts := []rbac.DepartmentID{e.boot.Sales.ID, e.boot.Support.ID}
		staff := []rbac.StaffID{e.admin}
		perms := func(mask byte) []rbac.Permission {
			var out []rbac.Permission
			for i, p := range fuzzPerms {
				if mask&(1<<i) != 0 {
					out = append(out, p)
				}
			}
			return out
		}
		pickS := func(b byte) rbac.StaffID {
			if b == 255 {
				return 999999 // unknown
			}
			return staff[int(b)%len(staff)]
		}
		pickD := func(b byte) rbac.DepartmentID {
			if b == 255 || len(depts) == 0 {
				return 999999
			}
			return depts[int(b)%len(depts)]
		}
		for i := 0; i+2 < len(data); i += 3 {
			op, a, b := data[i]%16, data[i+1], data[i+2]
			version := e.svc.Version()
			// The high bit of the operand picks a non-admin actor, so
			// refusals are exercised as well.
			actor := e.admin
			if a&0x80 != 0 {
				actor = pickS(a &^ 0x80)
			}
			var err error
			var what string
			switch op {
			case 0:
				what = "create department"
				var d rbac.Department
				d, err = e.svc.CreateDepartment(e.ctx, actor, rbac.NewDepartment{Name: rbac.Text(language.English, fmt.Sprintf("d%d", i))})
				if err == nil {
					depts = append(depts, d.ID)
				}
			case 1:
				what = "create staff"
				var in []rbac.DepartmentID
				for j, d := range depts {
					if b&(1<<(j%8)) != 0 {
						in = append(in, d)
					}
				}
				var s rbac.Staff
				s, err = e.svc.CreateStaff(e.ctx, actor, rbac.NewStaff{Login: fmt.Sprintf("s%d", i),
					FullName: rbac.Text(language.English, "x"), Departments: in, FullAccess: b&0x80 != 0 && b&0x40 != 0})
				if err == nil {
					staff = append(staff, s.ID)
				}
			case 2:
				what = "enable permissions"
				err = e.svc.EnablePermissions(e.ctx, actor, pickD(a), perms(b)...)
			case 3:
				what = "disable permissions"
				err = e.svc.DisablePermissions(e.ctx, actor, pickD(a), perms(b)...)
			case 4:
				what = "join"
				err = e.svc.AddToDepartment(e.ctx, actor, pickS(b), pickD(a))
			case 5:
				what = "leave"
				err = e.svc.RemoveFromDepartment(e.ctx, actor, pickS(b), pickD(a))
			case 6:
				what = "grant"
				err = e.svc.Grant(e.ctx, actor, pickS(a&^0x80), perms(b)...)
			case 7:
				what = "revoke"
				err = e.svc.Revoke(e.ctx, actor, pickS(a&^0x80), perms(b)...)
			case 8:
				what = "toggle full access"
				full := b&1 == 1
				_, err = e.svc.UpdateStaff(e.ctx, actor, pickS(b>>1), rbac.StaffUpdate{FullAccess: &full})
			case 9:
				what = "toggle staff status"
				st := rbac.Status(b & 1)
				_, err = e.svc.UpdateStaff(e.ctx, actor, pickS(b>>1), rbac.StaffUpdate{Status: &st})
			case 10:
				what = "toggle department status"
				st := rbac.Status(b & 1)
				_, err = e.svc.UpdateDepartment(e.ctx, actor, pickD(b>>1), rbac.DepartmentUpdate{Status: &st})
			case 11:
				what = "delete staff"
				id := pickS(b)
				if err = e.svc.DeleteStaff(e.ctx, actor, id); err == nil {
					for j, s := range staff {
						if s == id {
							staff = append(staff[:j:j], staff[j+1:]...)
							break
						}
					}
				}
			case 12:
				what = "delete department"
				id := pickD(b)
				if err = e.svc.DeleteDepartment(e.ctx, actor, id); err == nil {
					for j, d := range depts {
						if d == id {
							depts = append(depts[:j:j], depts[j+1:]...)
							break
						}
					}
				}
			case 13:
				what = "grant to self"
				err = e.svc.Grant(e.ctx, actor, actor, perms(b)...)
			case 14:
				what = "rename department"
				_, err = e.svc.UpdateDepartment(e.ctx, actor, pickD(b), rbac.DepartmentUpdate{Name: rbac.Text(language.Russian, fmt.Sprintf("отдел %d", i))})
			default:
				what = "check only"
			}
			if err != nil && e.svc.Version() != version {
				t.Fatalf("op %d (%s) failed (%v) but the version moved from %d to %d", i/3, what, err, version, e.svc.Version())
			}
			if err != nil && !errors.Is(err, rbac.ErrPermissionDenied) && !errors.Is(err, rbac.ErrInheritedPermission) &&
				!errors.Is(err, rbac.ErrNotFound) && !errors.Is(err, rbac.ErrInvalid) && !errors.Is(err, rbac.ErrConflict) {
				t.Fatalf("op %d (%s): unexpected error %v", i/3, what, err)
			}
			if e.svc.Version() != version {
				agree(t, e.svc, storedEnforcer(t, e.st), append(append([]rbac.StaffID(nil), staff...), 999999), fuzzPerms)
			}
		}
		other, err := rbac.New(e.ctx, e.st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		if other.Version() != e.svc.Version() {
			t.Fatalf("reopened at version %d, want %d", other.Version(), e.svc.Version())
		}
		agree(t, other, storedEnforcer(t, e.st), staff, fuzzPerms)
	}
}
