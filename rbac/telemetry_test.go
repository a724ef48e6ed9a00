package rbac_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// otelKit is an SDK wired to in-memory readers, as an application wires
// its exporters.
type otelKit struct {
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	tel    rbac.Telemetry
}

func newOtelKit() *otelKit {
	k := &otelKit{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	k.tel = rbac.Telemetry{
		TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(k.spans)),
		MeterProvider:  sdkmetric.NewMeterProvider(sdkmetric.WithReader(k.reader)),
	}
	return k
}

// spanNames returns the names of the ended spans and forgets them... by
// counting: the recorder keeps them, so callers compare counts.
func (k *otelKit) spanCount(name string) int {
	n := 0
	for _, s := range k.spans.Ended() {
		if s.Name() == name {
			n++
		}
	}
	return n
}

func (k *otelKit) collect(t *testing.T) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, k.reader.Collect(context.Background(), &rm))
	return rm
}

func findMetric(rm metricdata.ResourceMetrics, name string) (metricdata.Metrics, bool) {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m, true
			}
		}
	}
	return metricdata.Metrics{}, false
}

// decisionCounts reads billingrbac.decisions as "permission/outcome" → n.
func decisionCounts(t *testing.T, rm metricdata.ResourceMetrics) map[string]int64 {
	t.Helper()
	m, ok := findMetric(rm, "billingrbac.decisions")
	require.True(t, ok)
	out := map[string]int64{}
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		p, _ := dp.Attributes.Value("permission")
		o, _ := dp.Attributes.Value("outcome")
		out[p.AsString()+"/"+o.AsString()] = dp.Value
	}
	return out
}

// writeOutcomes reads billingrbac.write.duration's counts as "op/outcome" → n.
func writeOutcomes(t *testing.T, rm metricdata.ResourceMetrics) map[string]uint64 {
	t.Helper()
	m, ok := findMetric(rm, "billingrbac.write.duration")
	require.True(t, ok)
	out := map[string]uint64{}
	for _, dp := range m.Data.(metricdata.Histogram[float64]).DataPoints {
		op, _ := dp.Attributes.Value("op")
		o, _ := dp.Attributes.Value("outcome")
		out[op.AsString()+"/"+o.AsString()] = dp.Count
	}
	return out
}

// With telemetry on, on each backend: every decision is counted under its
// permission and outcome, exactly; every write is a span and a latency
// sample with its operation and outcome (a refusal as "refused"); sign-ins
// are spans that carry the outcome and not the login; a catch-up on a
// second instance is a sync span and one propagation sample per change it
// applied.
func TestTelemetry(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		dsn := testdb.DSN(t, b)
		st := testdb.Open(t, dsn)
		require.NoError(t, st.Migrate(ctx))
		k := newOtelKit()
		svc, err := rbac.New(ctx, st, rbac.Options{Telemetry: k.tel, Accounts: rbac.AccountOptions{HashParams: fastHash}})
		require.NoError(t, err)
		t.Cleanup(func() { _ = svc.Close() })
		boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{AdminPassword: goodPW})
		require.NoError(t, err)
		kate, err := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "kate",
			FullName: rbac.Text(language.English, "Kate"), Departments: []rbac.DepartmentID{boot.Sales.ID}})
		require.NoError(t, err)
		err = svc.Grant(ctx, kate.ID, kate.ID, pPayments)
		require.ErrorIs(t, err, rbac.ErrPermissionDenied)

		view, send := rbac.Perm(rbac.FuncClients, rbac.ActView), rbac.Perm(rbac.FuncInvoices, rbac.ActSend)
		for range 3 {
			require.True(t, svc.Can(kate.ID, view))
		}
		require.False(t, svc.Can(kate.ID, send))
		require.Error(t, svc.Check(kate.ID, send))
		require.NoError(t, svc.Check(boot.Admin.ID, send))
		require.False(t, svc.Can(kate.ID, rbac.Permission{Function: "nosuch", Action: "view"}))

		rm := k.collect(t)
		assert.Equal(t, map[string]int64{
			"clients:view/allowed": 3, "invoices:send/denied": 2, "invoices:send/allowed": 1, "other/denied": 1,
		}, decisionCounts(t, rm))
		assert.Equal(t, map[string]uint64{
			"bootstrap/ok": 1, "staff.create/ok": 1, "none/refused": 1,
		}, writeOutcomes(t, rm))
		_, ok := findMetric(rm, "billingrbac.staleness")
		assert.True(t, ok)
		assert.Equal(t, 3, k.spanCount("billingrbac.write"))

		_, err = svc.Authenticate(ctx, "admin", goodPW+"?")
		require.ErrorIs(t, err, rbac.ErrBadCredentials)
		_, err = svc.Authenticate(ctx, "admin", goodPW)
		require.NoError(t, err)
		var outcomes []string
		for _, s := range k.spans.Ended() {
			if s.Name() != "billingrbac.sign_in" {
				continue
			}
			for _, a := range s.Attributes() {
				if a.Key == "billingrbac.outcome" {
					outcomes = append(outcomes, a.Value.AsString())
				}
				assert.NotEqual(t, "admin", a.Value.Emit(), "a span names nobody")
			}
		}
		assert.Equal(t, []string{"bad_credentials", "ok"}, outcomes)

		// A second instance catches up on a change made by the first.
		k2 := newOtelKit()
		svc2, err := rbac.New(ctx, testdb.Open(t, dsn), rbac.Options{Telemetry: k2.tel, SyncInterval: -1})
		require.NoError(t, err)
		t.Cleanup(func() { _ = svc2.Close() })
		_, err = svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "lena", FullName: rbac.Text(language.English, "Lena")})
		require.NoError(t, err)
		require.NoError(t, svc2.Sync(ctx))
		var applied int64 = -1
		for _, s := range k2.spans.Ended() {
			if s.Name() != "billingrbac.sync" {
				continue
			}
			for _, a := range s.Attributes() {
				if a.Key == attribute.Key("billingrbac.applied") && a.Value.AsInt64() > 0 {
					applied = a.Value.AsInt64()
				}
			}
		}
		assert.Equal(t, int64(1), applied, "one sync span applied lena's change")
		m, ok := findMetric(k2.collect(t), "billingrbac.propagation.delay")
		require.True(t, ok)
		var n uint64
		for _, dp := range m.Data.(metricdata.Histogram[float64]).DataPoints {
			n += dp.Count
		}
		assert.Equal(t, uint64(1), n)
	})
}

// notifyingStore is a store whose notifier connects three times (a
// listener that lost its connection twice): the fake injects the
// failures a real database would need killing connections for.
type notifyingStore struct {
	*store.Store
}

type flakyNotifier struct{}

func (flakyNotifier) Listen(ctx context.Context, notify func(int64)) error {
	for range 3 {
		notify(0)
	}
	<-ctx.Done()
	return nil
}

func (notifyingStore) Notifier() rbac.Notifier { return flakyNotifier{} }

func TestTelemetryCountsListenerReconnects(t *testing.T) {
	st := testdb.Open(t, testdb.DSN(t, testdb.SQLite))
	require.NoError(t, st.Migrate(t.Context()))
	k := newOtelKit()
	svc, err := rbac.New(t.Context(), notifyingStore{st}, rbac.Options{Telemetry: k.tel})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	require.Eventually(t, func() bool {
		m, ok := findMetric(k.collect(t), "billingrbac.listener.reconnects")
		if !ok {
			return false
		}
		dps := m.Data.(metricdata.Sum[int64]).DataPoints
		return len(dps) == 1 && dps[0].Value == 2
	}, 10e9, 1e7, "two reconnections after the first connection")
}

// Off by default (a Service without Telemetry makes no instrument) and
// on, Can allocates nothing: on, a decision is a map lookup and an atomic
// add.
func TestTelemetryCanAllocatesNothing(t *testing.T) {
	p := rbac.Perm(rbac.FuncClients, rbac.ActView)
	e := newEnv(t, testdb.SQLite)
	assert.Zero(t, testing.AllocsPerRun(1000, func() { e.svc.Can(e.admin, p) }), "off")
	svc, err := rbac.New(t.Context(), e.st, rbac.Options{Telemetry: newOtelKit().tel})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	assert.Zero(t, testing.AllocsPerRun(1000, func() { svc.Can(e.admin, p) }), "on")
}
