package rbac_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// TestChangeLog: every change has the next version and an audit record in
// the same transaction, queryable by actor, target, operation and time.
func TestChangeLog(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		start := time.Now().Add(-time.Second)
		john := e.staff("john", e.boot.Sales.ID)
		ctx := rbac.WithReason(e.ctx, "ticket 42")
		if err := e.svc.Grant(ctx, e.admin, john, pInvoicesSend); err != nil {
			t.Fatal(err)
		}
		email := "john@example.com"
		if _, err := e.svc.UpdateStaff(e.ctx, e.admin, john, rbac.StaffUpdate{Email: &email}); err != nil {
			t.Fatal(err)
		}
		// A no-op records nothing.
		v := e.svc.Version()
		if err := e.svc.Grant(e.ctx, e.admin, john, pInvoicesSend); err != nil || e.svc.Version() != v {
			t.Fatalf("no-op grant: err %v, version %d -> %d", err, v, e.svc.Version())
		}

		all, err := e.svc.AuditLog(e.ctx, e.admin, rbac.ChangeQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 4 {
			t.Fatalf("got %d entries, want 4 (bootstrap, create, grant, update)", len(all))
		}
		for i, c := range all {
			if c.Version != int64(i+1) {
				t.Fatalf("entry %d has version %d", i, c.Version)
			}
		}
		grant := all[2]
		if grant.Op != rbac.OpStaffGrant || grant.Actor != e.admin || grant.Target != "staff:2" || grant.Reason != "ticket 42" ||
			len(grant.Policy.Add) != 1 || grant.Policy.Add[0] != rbac.GrantRule(rbac.StaffSubject(john), pInvoicesSend) {
			t.Fatalf("grant entry = %+v", grant)
		}
		var before, after rbac.Staff
		if err := json.Unmarshal(all[3].Before, &before); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(all[3].After, &after); err != nil {
			t.Fatal(err)
		}
		if before.Email != "" || after.Email != email {
			t.Fatalf("update before/after e-mail = %q/%q", before.Email, after.Email)
		}

		admin := e.admin
		queries := []struct {
			name string
			q    rbac.ChangeQuery
			want []int64
		}{
			{"by actor", rbac.ChangeQuery{Actor: &admin}, []int64{2, 3, 4}},
			{"by target", rbac.ChangeQuery{Target: "staff:2"}, []int64{2, 3, 4}},
			{"by operation", rbac.ChangeQuery{Op: rbac.OpStaffGrant}, []int64{3}},
			{"page", rbac.ChangeQuery{AfterVersion: 1, Limit: 2}, []int64{2, 3}},
			{"time range", rbac.ChangeQuery{Since: start, Until: time.Now().Add(time.Hour)}, []int64{1, 2, 3, 4}},
			{"future", rbac.ChangeQuery{Since: time.Now().Add(time.Hour)}, nil},
		}
		for _, q := range queries {
			got, err := e.svc.AuditLog(e.ctx, e.admin, q.q)
			if err != nil {
				t.Fatal(err)
			}
			var vs []int64
			for _, c := range got {
				vs = append(vs, c.Version)
			}
			if len(vs) != len(q.want) {
				t.Fatalf("%s: versions %v, want %v", q.name, vs, q.want)
			}
			for i := range vs {
				if vs[i] != q.want[i] {
					t.Fatalf("%s: versions %v, want %v", q.name, vs, q.want)
				}
			}
		}
		if _, err := e.svc.AuditLog(e.ctx, john, rbac.ChangeQuery{}); err == nil {
			t.Fatal("staff without actionlog:view read the audit log")
		}
	})
}

// TestSyncReloadsOnGap: an instance that finds a gap in the change log
// reloads the whole policy and ends up deciding like the writer.
func TestSyncReloadsOnGap(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		other, err := rbac.New(context.Background(), testdb.Open(t, e.dsn), rbac.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		john := e.staff("john", e.boot.Sales.ID)
		if err := e.svc.Grant(e.ctx, e.admin, john, pReports); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreateDepartment(e.ctx, e.admin, rbac.NewDepartment{Name: rbac.Text(language.English, "X")}); err != nil {
			t.Fatal(err)
		}
		// Lose the grant's entry: the log now has a gap.
		if err := e.st.DB().Exec("DELETE FROM billingrbac_changes WHERE op = ?", string(rbac.OpStaffGrant)).Error; err != nil {
			t.Fatal(err)
		}
		if err := other.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		if other.Version() != e.svc.Version() || !other.Can(john, pReports) || !other.Can(john, pPayments) {
			t.Fatalf("after reload: version %d (want %d), reports %v", other.Version(), e.svc.Version(), other.Can(john, pReports))
		}
	})
}
