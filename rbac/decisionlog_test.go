package rbac_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// lockedBuffer is a bytes.Buffer safe for concurrent handlers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// dlogEnv is a bootstrapped service with john in Sales (plus a direct
// invoices:send) logging decisions as text lines without timestamps.
func dlogEnv(t testing.TB, rate float64, level slog.Level) (*rbac.Service, rbac.StaffID, *lockedBuffer) {
	t.Helper()
	buf := &lockedBuffer{}
	svc, john := dlogEnvTo(t, buf, rate, level)
	return svc, john, buf
}

// dlogEnvTo is dlogEnv writing records to w; a nil w turns logging off.
func dlogEnvTo(t testing.TB, w io.Writer, rate float64, level slog.Level) (*rbac.Service, rbac.StaffID) {
	t.Helper()
	ctx := context.Background()
	st := testdb.Open(t, testdb.DSN(t, testdb.SQLite))
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var lg *slog.Logger
	if w != nil {
		lg = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{}
			}
			return a
		}}))
	}
	svc, err := rbac.New(ctx, st, rbac.Options{DecisionLog: lg, DecisionSampleRate: rate, Accounts: rbac.AccountOptions{HashParams: fastHash}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Close() })
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	john, err := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "john", FullName: rbac.Text(language.English, "John"),
		Departments: []rbac.DepartmentID{boot.Sales.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Grant(ctx, boot.Admin.ID, john.ID, rbac.Perm(rbac.FuncInvoices, rbac.ActSend), rbac.Perm(rbac.FuncClients, rbac.ActView)); err != nil {
		t.Fatal(err)
	}
	return svc, john.ID
}

func TestDecisionLogRecords(t *testing.T) {
	svc, john, buf := dlogEnv(t, 0, slog.LevelInfo)
	before := buf.String() // admin checks made while setting up (audit reads) may be logged
	svc.Can(john, rbac.Perm(rbac.FuncInvoices, rbac.ActSend))
	svc.Can(john, rbac.Perm(rbac.FuncClients, rbac.ActView))
	_ = svc.Check(john, rbac.Perm(rbac.FuncSettings, rbac.ActEdit))
	_ = svc.Check(1, rbac.Perm(rbac.FuncSettings, rbac.ActEdit))
	svc.Explain(john, rbac.Perm(rbac.FuncSupport, rbac.ActReply))
	svc.Explain(99, rbac.Perm(rbac.FuncSupport, rbac.ActReply))
	v := svc.Version()
	want := strings.ReplaceAll(`level=INFO msg="billingrbac decision" op=can staff=2 permission=invoices:send result=allow reason="direct grant" version=V
level=INFO msg="billingrbac decision" op=can staff=2 permission=clients:view result=allow reason="department 1, direct grant" version=V
level=INFO msg="billingrbac decision" op=check staff=2 permission=settings:edit result=deny reason=missing version=V
level=INFO msg="billingrbac decision" op=check staff=1 permission=settings:edit result=allow reason="full access" version=V
level=INFO msg="billingrbac decision" op=explain staff=2 permission=support:reply result=deny reason=missing version=V
level=INFO msg="billingrbac decision" op=explain staff=99 permission=support:reply result=deny reason=missing version=V
`, "V", strconv.FormatInt(v, 10))
	if got := strings.TrimPrefix(buf.String(), before); got != want {
		t.Fatalf("records:\n%s\nwant:\n%s", got, want)
	}
}

func TestDecisionLogDisabledStaff(t *testing.T) {
	svc, john, buf := dlogEnv(t, 1, slog.LevelInfo)
	disabled := rbac.StatusDisabled
	if _, err := svc.UpdateStaff(context.Background(), 1, john, rbac.StaffUpdate{Status: &disabled}); err != nil {
		t.Fatal(err)
	}
	before := buf.String()
	svc.Can(john, rbac.Perm(rbac.FuncInvoices, rbac.ActSend))
	if got := strings.TrimPrefix(buf.String(), before); !strings.Contains(got, "op=can staff=2 permission=invoices:send result=deny reason=disabled ") {
		t.Fatalf("got %q", got)
	}
}

// Sampling is deterministic: floor(n × rate) of n decisions are logged.
func TestDecisionLogSampling(t *testing.T) {
	for _, tc := range []struct {
		rate float64
		n    int
		want int
	}{{0.25, 100, 25}, {0.1, 1000, 100}, {1, 40, 40}, {0.5, 7, 3}} {
		svc, john, buf := dlogEnv(t, tc.rate, slog.LevelInfo)
		before := strings.Count(buf.String(), "\n")
		p := rbac.Perm(rbac.FuncClients, rbac.ActView)
		for i := 0; i < tc.n; i++ {
			svc.Can(john, p)
		}
		if got := strings.Count(buf.String(), "\n") - before; got < tc.want || got > tc.want+1 {
			// +1: the setup's own sampled decisions shift the phase.
			t.Errorf("rate %v over %d: %d records, want %d", tc.rate, tc.n, got, tc.want)
		}
	}
}

// A logger whose level is above Info writes nothing.
func TestDecisionLogLevel(t *testing.T) {
	svc, john, buf := dlogEnv(t, 0, slog.LevelWarn)
	svc.Can(john, rbac.Perm(rbac.FuncClients, rbac.ActView))
	svc.Explain(john, rbac.Perm(rbac.FuncSettings, rbac.ActEdit))
	if buf.String() != "" {
		t.Fatalf("got %q", buf.String())
	}
}

func TestDecisionLogBadRate(t *testing.T) {
	st := testdb.Open(t, testdb.DSN(t, testdb.SQLite))
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, rate := range []float64{-0.1, 1.5, math.NaN(), math.Inf(1)} {
		_, err := rbac.New(context.Background(), st, rbac.Options{DecisionLog: slog.New(slog.DiscardHandler), DecisionSampleRate: rate, Accounts: rbac.AccountOptions{HashParams: fastHash}})
		var ve *rbac.ValidationError
		if !errors.As(err, &ve) || !ve.Has("decision_sample_rate", "range") || !errors.Is(err, rbac.ErrInvalid) {
			t.Errorf("rate %v: %v", rate, err)
		}
	}
}

// Off, Can allocates nothing; on but sampled out, neither.
func TestDecisionLogAllocs(t *testing.T) {
	p := rbac.Perm(rbac.FuncClients, rbac.ActView)
	off, offJohn := dlogEnvTo(t, nil, 0, slog.LevelInfo)
	if n := testing.AllocsPerRun(1000, func() { off.Can(offJohn, p) }); n != 0 {
		t.Errorf("off: %v allocs per Can", n)
	}
	sampled, john, _ := dlogEnv(t, 0.000001, slog.LevelInfo)
	if n := testing.AllocsPerRun(1000, func() { sampled.Can(john, p) }); n != 0 {
		t.Errorf("sampled out: %v allocs per Can", n)
	}
}

// Decisions logged from many goroutines at once (run with -race).
func TestDecisionLogConcurrent(t *testing.T) {
	svc, john, buf := dlogEnv(t, 0.5, slog.LevelInfo)
	before := strings.Count(buf.String(), "\n")
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				svc.Can(john, rbac.Perm(rbac.FuncClients, rbac.ActView))
			}
		}()
	}
	wg.Wait()
	if got := strings.Count(buf.String(), "\n") - before; got < 400 || got > 401 {
		t.Fatalf("%d records, want 400", got)
	}
}

// BenchmarkCanDecisionLog: Can with decision logging off (the default),
// on but sampled out (rate 0.001), and on for every call (to a handler
// that discards, so only the library's cost shows).
func BenchmarkCanDecisionLog(b *testing.B) {
	p := rbac.Perm(rbac.FuncClients, rbac.ActView)
	off, offJohn := dlogEnvTo(b, nil, 0, slog.LevelInfo)
	b.Run("off", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = off.Can(offJohn, p)
		}
	})
	for _, rc := range []struct {
		name string
		rate float64
	}{{"sampled-0.001", 0.001}, {"every", 0}} {
		svc, john := dlogEnvTo(b, io.Discard, rc.rate, slog.LevelInfo)
		b.Run(rc.name+"/text-handler", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink = svc.Can(john, p)
			}
		})
	}
}

func ExampleOptions_decisionLog() {
	ctx := context.Background()
	st := openMemory()
	// Text records on stdout, without the time so the output is stable.
	h := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}})
	svc, err := rbac.New(ctx, st, rbac.Options{
		DecisionLog:        slog.New(h),
		DecisionSampleRate: 0.5, // every other decision
	})
	if err != nil {
		panic(err)
	}
	defer svc.Close()
	if _, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{}); err != nil {
		panic(err)
	}
	view := rbac.Perm(rbac.FuncClients, rbac.ActView)
	svc.Can(1, view)  // sampled out
	svc.Can(1, view)  // logged
	svc.Can(42, view) // sampled out
	_ = svc.Check(42, view)
	// Output:
	// level=INFO msg="billingrbac decision" op=can staff=1 permission=clients:view result=allow reason="full access" version=1
	// level=INFO msg="billingrbac decision" op=check staff=42 permission=clients:view result=deny reason=missing version=1
}

func openMemory() *store.Store {
	st, err := store.Open(context.Background(), ":memory:")
	if err != nil {
		panic(err)
	}
	if err := st.Migrate(context.Background()); err != nil {
		panic(err)
	}
	return st
}
