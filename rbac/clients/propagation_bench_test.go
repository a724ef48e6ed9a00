package clients_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
)

// BenchmarkPropagationClientRevocation measures, over 1,000 client
// revocations committed on instance A (a role unassigned from a client
// user; each followed by an unmeasured re-assignment), the delay until
// instance B (its own pool and listener, no write and no Sync) denies: from
// the moment A's write returns (committed) to B reporting the version, B's
// decision then checked. Reports p50, p99 and max. PostgreSQL only.
func BenchmarkPropagationClientRevocation(b *testing.B) {
	if !slices.Contains(testdb.Backends(b), testdb.Postgres) {
		b.Skip("needs PostgreSQL (set " + testdb.EnvPostgres + ")")
	}
	ctx := context.Background()
	dsn := testdb.DSN(b, testdb.Postgres)
	if err := testdb.Open(b, dsn).Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	a := startNode(b, dsn)
	boot, err := a.staff.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil {
		b.Fatal(err)
	}
	c, err := a.cs.CreateClient(ctx, clients.ByStaff(boot.Admin.ID), clients.NewClient{Name: "Acme",
		FirstUser: clients.NewUser{Login: "owner", Name: "O"}})
	if err != nil {
		b.Fatal(err)
	}
	owner := clients.ByUser(c.FirstUser)
	role, err := a.cs.CreateRole(ctx, owner, c.ID, clients.NewRole{Name: "Viewer"})
	if err != nil {
		b.Fatal(err)
	}
	perms := []clients.Permission{clients.Perm(clients.SectionServices, clients.View)}
	if _, err := a.cs.UpdateRole(ctx, owner, role.ID, clients.RoleUpdate{Permissions: &perms}); err != nil {
		b.Fatal(err)
	}
	u, err := a.cs.CreateUser(ctx, owner, c.ID, clients.NewUser{Login: "bob", Name: "B", Roles: []clients.RoleID{role.ID}})
	if err != nil {
		b.Fatal(err)
	}
	nb := startNode(b, dsn)
	res := clients.Resource{Kind: clients.KindService, ID: 1, Owner: c.ID}
	wait := func(v int64) {
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := nb.cs.WaitFor(wctx, v); err != nil {
			b.Fatalf("B did not reach version %d: %v", v, err)
		}
	}
	const revocations = 1000
	delays := make([]time.Duration, 0, revocations)
	for b.Loop() {
		delays = delays[:0]
		for range revocations {
			if err := a.cs.UnassignRole(ctx, owner, u.ID, role.ID); err != nil {
				b.Fatal(err)
			}
			v := a.cs.Version()
			t0 := time.Now()
			wait(v)
			delays = append(delays, time.Since(t0))
			if nb.cs.Can(u.ID, clients.View, res) {
				b.Fatal("B allows a revoked client user")
			}
			if err := a.cs.AssignRole(ctx, owner, u.ID, role.ID); err != nil {
				b.Fatal(err)
			}
			wait(a.cs.Version())
		}
	}
	slices.Sort(delays)
	b.ReportMetric(float64(delays[len(delays)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(delays[len(delays)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(delays[len(delays)-1].Microseconds())/1000, "max-ms")
}
