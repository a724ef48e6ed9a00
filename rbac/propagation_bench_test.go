package rbac_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// BenchmarkPropagation measures, over 1,000 committed changes on instance A,
// the delay until instance B (its own pool and listener) has applied each
// one: from the moment A's write returns (committed) to B reporting the
// version. Reports p50 and p99. PostgreSQL only.
func BenchmarkPropagation(b *testing.B) {
	if !slices.Contains(testdb.Backends(b), testdb.Postgres) {
		b.Skip("needs PostgreSQL (set " + testdb.EnvPostgres + ")")
	}
	ctx := context.Background()
	dsn := testdb.DSN(b, testdb.Postgres)
	if err := testdb.Open(b, dsn).Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	stA := testdb.Open(b, dsn)
	a, err := rbac.New(ctx, stA, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	boot, err := a.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil {
		b.Fatal(err)
	}
	john, err := a.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "john", FullName: rbac.Text(language.English, "J")})
	if err != nil {
		b.Fatal(err)
	}
	bSvc, err := rbac.New(ctx, testdb.Open(b, dsn), rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	if err != nil {
		b.Fatal(err)
	}
	defer bSvc.Close()
	const changes = 1000
	delays := make([]time.Duration, 0, changes)
	for b.Loop() {
		delays = delays[:0]
		for i := range changes {
			var err error
			if i%2 == 0 {
				err = a.Grant(ctx, boot.Admin.ID, john.ID, pReports)
			} else {
				err = a.Revoke(ctx, boot.Admin.ID, john.ID, pReports)
			}
			if err != nil {
				b.Fatal(err)
			}
			v := a.Version()
			t0 := time.Now()
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err = bSvc.WaitFor(wctx, v)
			cancel()
			if err != nil {
				b.Fatalf("B did not reach version %d: %v", v, err)
			}
			delays = append(delays, time.Since(t0))
		}
	}
	slices.Sort(delays)
	b.ReportMetric(float64(delays[len(delays)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(delays[len(delays)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(delays[len(delays)-1].Microseconds())/1000, "max-ms")
}
