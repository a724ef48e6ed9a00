package rbac_test

import (
	"context"
	"fmt"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// The application wires the OpenTelemetry SDK (here a manual reader; in
// production an OTLP or Prometheus exporter) and hands the providers to
// the Service; decisions are counted by permission and outcome.
func ExampleTelemetry() {
	ctx := context.Background()
	st, _ := store.Open(ctx, ":memory:")
	defer st.Close()
	_ = st.Migrate(ctx)
	reader := sdkmetric.NewManualReader()
	svc, _ := rbac.New(ctx, st, rbac.Options{Telemetry: rbac.Telemetry{
		MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)),
	}})
	defer svc.Close()
	boot, _ := svc.Bootstrap(ctx, rbac.BootstrapOptions{AdminPassword: "plum-Orbit-7-lantern"})

	send := rbac.Perm(rbac.FuncInvoices, rbac.ActSend)
	svc.Can(boot.Admin.ID, send)
	svc.Can(boot.Admin.ID, send)
	svc.Can(rbac.StaffID(999), send)

	var rm metricdata.ResourceMetrics
	_ = reader.Collect(ctx, &rm)
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != "billingrbac.decisions" {
				continue
			}
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				p, _ := dp.Attributes.Value("permission")
				o, _ := dp.Attributes.Value("outcome")
				fmt.Println(p.AsString(), o.AsString(), dp.Value)
			}
		}
	}
	// Unordered output:
	// invoices:send allowed 2
	// invoices:send denied 1
}
