package rbac_test

import (
	"context"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
	"github.com/billingrbac/billingrbac/store"
)

// next receives one event or fails after a generous bound.
func next(t testing.TB, sub *rbac.Subscription) rbac.Event {
	t.Helper()
	select {
	case ev, ok := <-sub.C():
		require.True(t, ok, "subscription closed")
		return ev
	case <-time.After(15 * time.Second):
		t.Fatal("no event within 15 s")
		return rbac.Event{}
	}
}

// TestSubscribeLocal: every change this instance makes arrives once, in
// version order, after the decisions serve it; Close and Service.Close end
// the stream.
func TestSubscribeLocal(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) }) // after the store closes
	e := newEnv(t, testdb.SQLite)
	sub := e.svc.Subscribe()
	sales := e.boot.Sales.ID
	john := e.staff("john", sales)
	require.NoError(t, e.svc.Grant(e.ctx, e.admin, john, pReports))

	ev := next(t, sub)
	assert.Equal(t, rbac.OpStaffCreate, ev.Change.Op)
	assert.Equal(t, ev.Change.Version, ev.Version)
	ev = next(t, sub)
	assert.Equal(t, rbac.OpStaffGrant, ev.Change.Op)
	assert.Equal(t, e.admin, ev.Change.Actor)
	assert.Equal(t, []rbac.StaffID{john}, ev.Change.Effect.Gaining(pReports), "the effect travels with the event")
	assert.True(t, e.svc.Can(john, pReports), "delivered after the decisions serve it")
	assert.Equal(t, e.svc.Version(), ev.Version)

	other := e.svc.Subscribe()
	sub.Close()
	_, open := <-sub.C()
	assert.False(t, open, "Close closes the channel")
	require.NoError(t, e.svc.Close())
	_, open = <-other.C()
	assert.False(t, open, "Service.Close closes every subscription")
}

// TestSubscribeRemote: a second instance on PostgreSQL delivers what the
// first one commits, of every domain, without any write or Sync of its
// own: the hook an application uses to end a disabled person's sessions
// on every server.
func TestSubscribeRemote(t *testing.T) {
	if !slices.Contains(testdb.Backends(t), testdb.Postgres) {
		t.Skip("needs PostgreSQL (set " + testdb.EnvPostgres + ")")
	}
	ctx := context.Background()
	dsn := testdb.DSN(t, testdb.Postgres)
	require.NoError(t, testdb.Open(t, dsn).Migrate(ctx))
	stA, a := instance(t, dsn, uniqueName("a-"))
	boot, err := a.Bootstrap(ctx, rbac.BootstrapOptions{})
	require.NoError(t, err)
	john, err := a.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "john", FullName: rbac.Text(language.English, "John"),
		Departments: []rbac.DepartmentID{boot.Sales.ID}})
	require.NoError(t, err)
	_, b := instance(t, dsn, uniqueName("b-"))
	waitFor(t, b, a.Version())
	sub := b.Subscribe()
	defer sub.Close()

	disabled := rbac.StatusDisabled
	_, err = a.UpdateStaff(ctx, boot.Admin.ID, john.ID, rbac.StaffUpdate{Status: &disabled})
	require.NoError(t, err)
	ev := next(t, sub)
	require.Equal(t, rbac.OpStaffUpdate, ev.Change.Op)
	require.Len(t, ev.Change.Effect.Staff, 1)
	assert.Equal(t, john.ID, ev.Change.Effect.Staff[0].Staff)
	assert.True(t, ev.Change.Effect.Staff[0].After.Disabled, "the event says john is now disabled")
	assert.False(t, b.Can(john.ID, pPayments), "B denies by the time the event arrives")

	cl, err := clients.New(ctx, stA.ClientStore(), a, clients.Options{})
	require.NoError(t, err)
	defer cl.Close()
	_, err = cl.CreateClient(ctx, clients.ByStaff(boot.Admin.ID), clients.NewClient{Name: "Acme",
		FirstUser: clients.NewUser{Login: "acme", Name: "Acme owner"}})
	require.NoError(t, err)
	ev = next(t, sub)
	assert.Equal(t, rbac.DomainClients, ev.Change.Domain, "other domains' changes arrive too")
	assert.Equal(t, a.Version(), ev.Version)
}

// BenchmarkSubscribeDelivery: commit on instance A → the event on instance
// B's subscription, over PostgreSQL LISTEN/NOTIFY; p50 and p99 reported.
func BenchmarkSubscribeDelivery(b *testing.B) {
	if !slices.Contains(testdb.Backends(b), testdb.Postgres) {
		b.Skip("needs PostgreSQL (set " + testdb.EnvPostgres + ")")
	}
	ctx := context.Background()
	dsn := testdb.DSN(b, testdb.Postgres)
	require.NoError(b, testdb.Open(b, dsn).Migrate(ctx))
	a := benchInstance(b, dsn, uniqueName("a-"))
	boot, err := a.Bootstrap(ctx, rbac.BootstrapOptions{})
	require.NoError(b, err)
	john, err := a.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "john", FullName: rbac.Text(language.English, "John")})
	require.NoError(b, err)
	bb := benchInstance(b, dsn, uniqueName("b-"))
	ctxW, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	require.NoError(b, bb.WaitFor(ctxW, a.Version()))
	sub := bb.Subscribe()
	defer sub.Close()
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		p := pReports
		if i%2 == 0 {
			require.NoError(b, a.Grant(ctx, boot.Admin.ID, john.ID, p))
		} else {
			require.NoError(b, a.Revoke(ctx, boot.Admin.ID, john.ID, p))
		}
		next(b, sub)
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

func benchInstance(b *testing.B, dsn, name string) *rbac.Service {
	b.Helper()
	st := testdb.OpenWith(b, dsn, store.Options{ListenerName: name})
	svc, err := rbac.New(context.Background(), st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	require.NoError(b, err)
	b.Cleanup(func() { _ = svc.Close() })
	return svc
}
