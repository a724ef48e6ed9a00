package rbac

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/billingrbac/billingrbac/internal/engine"
)

// Telemetry connects a Service to OpenTelemetry. The library uses the API
// only: the application builds the SDK's providers (exporters, sampling,
// resource) and hands them here. The zero value is off: no instrument is
// made, and a check pays one nil test.
//
// Spans: billingrbac.write (every administrative change of any domain:
// attribute billingrbac.op, billingrbac.version, the error status of a
// refusal), billingrbac.sign_in (Authenticate, AuthenticateFrom,
// AuthenticateSubject: attribute billingrbac.outcome, never the login)
// and billingrbac.sync (every catch-up with the change log: applied
// changes, reload).
//
// Metrics (see docs/instances.md, "Telemetry"):
//
//	billingrbac.decisions          counter, {permission, outcome=allowed|denied}: Can and Check
//	billingrbac.write.duration     histogram, s, {op, outcome=ok|refused|error}
//	billingrbac.propagation.delay  histogram, s: commit on another instance to applied here
//	billingrbac.staleness          gauge, s: Lag()
//	billingrbac.listener.reconnects counter: the PostgreSQL listener's new connections after the first
//
// Decisions are counted in per-permission atomic counters that an
// observable instrument reads at each collection, not by an instrument
// call per check.
type Telemetry struct {
	TracerProvider trace.TracerProvider // nil: no spans
	MeterProvider  metric.MeterProvider // nil: no metrics
}

// telemetry is a Service's instruments; a nil *telemetry is off and every
// method is a no-op on it.
type telemetry struct {
	tracer trace.Tracer // nil: no spans

	// decisions counts Can/Check outcomes per catalog permission (index
	// by perms), and for permissions outside the catalog in other.
	perms     map[Permission]int
	decisions []decisionCount
	other     decisionCount

	writeDur    metric.Float64Histogram
	propagation metric.Float64Histogram
	reconnects  atomic.Int64
	reg         metric.Registration
}

type decisionCount struct{ allowed, denied atomic.Int64 }

const instrumentation = "github.com/billingrbac/billingrbac/rbac"

// newTelemetry makes the instruments, or returns nil when t is off.
func newTelemetry(t Telemetry, s *Service) (*telemetry, error) {
	if t.TracerProvider == nil && t.MeterProvider == nil {
		return nil, nil
	}
	tel := &telemetry{}
	if t.TracerProvider != nil {
		tel.tracer = t.TracerProvider.Tracer(instrumentation)
	}
	if t.MeterProvider == nil {
		return tel, nil
	}
	perms := s.catalog.Permissions()
	tel.perms = make(map[Permission]int, len(perms))
	for i, p := range perms {
		tel.perms[p] = i
	}
	tel.decisions = make([]decisionCount, len(perms))
	m := t.MeterProvider.Meter(instrumentation)
	var err error
	dec, err1 := m.Int64ObservableCounter("billingrbac.decisions", metric.WithDescription("Can and Check outcomes by permission"))
	tel.writeDur, err = m.Float64Histogram("billingrbac.write.duration", metric.WithUnit("s"),
		metric.WithDescription("administrative changes, from the call to the commit applied"))
	err = errors.Join(err1, err)
	prop, err2 := m.Float64Histogram("billingrbac.propagation.delay", metric.WithUnit("s"),
		metric.WithDescription("a change committed by another instance until this one applied it (the two clocks' skew included)"))
	tel.propagation = prop
	stale, err3 := m.Float64ObservableGauge("billingrbac.staleness", metric.WithUnit("s"),
		metric.WithDescription("time since this instance last confirmed it had applied every committed change (Service.Lag)"))
	rec, err4 := m.Int64ObservableCounter("billingrbac.listener.reconnects",
		metric.WithDescription("new connections of the change listener after its first"))
	if err := errors.Join(err, err2, err3, err4); err != nil {
		return nil, err
	}
	allowed, denied := attribute.String("outcome", "allowed"), attribute.String("outcome", "denied")
	tel.reg, err = m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		emit := func(p string, c *decisionCount) {
			if n := c.allowed.Load(); n > 0 {
				o.ObserveInt64(dec, n, metric.WithAttributes(attribute.String("permission", p), allowed))
			}
			if n := c.denied.Load(); n > 0 {
				o.ObserveInt64(dec, n, metric.WithAttributes(attribute.String("permission", p), denied))
			}
		}
		for i, p := range perms {
			emit(p.String(), &tel.decisions[i])
		}
		emit("other", &tel.other)
		o.ObserveFloat64(stale, s.Lag().Seconds())
		o.ObserveInt64(rec, tel.reconnects.Load())
		return nil
	}, dec, stale, rec)
	if err != nil {
		return nil, err
	}
	return tel, nil
}

func (t *telemetry) close() {
	if t != nil && t.reg != nil {
		_ = t.reg.Unregister()
	}
}

// decided counts one decision: a map lookup and an atomic add.
func (t *telemetry) decided(p Permission, ok bool) {
	if t.decisions == nil {
		return
	}
	c := &t.other
	if i, known := t.perms[p]; known {
		c = &t.decisions[i]
	}
	if ok {
		c.allowed.Add(1)
	} else {
		c.denied.Add(1)
	}
}

// span starts a span when tracing is on.
func (t *telemetry) span(ctx context.Context, name string) (context.Context, trace.Span) {
	if t == nil || t.tracer == nil {
		return ctx, nil
	}
	return t.tracer.Start(ctx, name)
}

// endSpan ends sp (nil: tracing off) with err's status and attrs.
func endSpan(sp trace.Span, err error, attrs ...attribute.KeyValue) {
	if sp == nil {
		return
	}
	sp.SetAttributes(attrs...)
	if err != nil {
		sp.RecordError(err)
		sp.SetStatus(codes.Error, outcomeOf(err))
	}
	sp.End()
}

// outcomeOf names an error's class without its detail (no logins, no
// names): what spans and metrics may carry.
func outcomeOf(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrPermissionDenied):
		return "refused"
	case errors.Is(err, ErrInvalid):
		return "invalid"
	case errors.Is(err, ErrConflict):
		return "conflict"
	case errors.Is(err, ErrNotFound):
		return "not_found"
	case errors.Is(err, ErrBadCredentials):
		return "bad_credentials"
	case errors.Is(err, ErrAccountDisabled):
		return "disabled"
	case errors.Is(err, ErrPasswordsDisabled):
		return "passwords_disabled"
	case errors.Is(err, ErrSignInThrottled):
		return "throttled"
	case errors.Is(err, ErrSecondFactorRequired):
		return "second_factor_required"
	}
	return "error"
}

// startWrite opens a write's span and clock.
func (t *telemetry) startWrite(ctx context.Context) (context.Context, func(Change, error)) {
	if t == nil {
		return ctx, func(Change, error) {}
	}
	start := time.Now()
	ctx, sp := t.span(ctx, "billingrbac.write")
	return ctx, func(ch Change, err error) {
		op := string(ch.Op)
		if op == "" {
			op = "none"
		}
		endSpan(sp, err, attribute.String("billingrbac.op", op), attribute.Int64("billingrbac.version", ch.Version))
		if t.writeDur != nil {
			t.writeDur.Record(ctx, time.Since(start).Seconds(), metric.WithAttributes(
				attribute.String("op", op), attribute.String("outcome", outcomeOf(err))))
		}
	}
}

// signIn wraps one sign-in in its span.
func (t *telemetry) signIn(ctx context.Context, how string) (context.Context, func(error)) {
	ctx, sp := t.span(ctx, "billingrbac.sign_in")
	return ctx, func(err error) {
		endSpan(sp, err, attribute.String("billingrbac.method", how), attribute.String("billingrbac.outcome", outcomeOf(err)))
	}
}

// onCatchUp is the engine's OnCatchUp hook.
func (t *telemetry) onCatchUp(ctx context.Context) (context.Context, func([]engine.Entry, bool, error)) {
	ctx, sp := t.span(ctx, "billingrbac.sync")
	return ctx, func(applied []engine.Entry, reloaded bool, err error) {
		endSpan(sp, err, attribute.Int("billingrbac.applied", len(applied)), attribute.Bool("billingrbac.reload", reloaded))
		if t.propagation != nil {
			now := time.Now()
			for _, en := range applied {
				t.propagation.Record(ctx, max(now.Sub(en.At), 0).Seconds())
			}
		}
	}
}

// countingNotifier counts the listener's connections: notify(0) follows
// every (re)connection (see Notifier).
type countingNotifier struct {
	Notifier
	t     *telemetry
	conns atomic.Int64
}

func (n *countingNotifier) Listen(ctx context.Context, notify func(int64)) error {
	return n.Notifier.Listen(ctx, func(v int64) {
		if v == 0 && n.conns.Add(1) > 1 {
			n.t.reconnects.Add(1)
		}
		notify(v)
	})
}
