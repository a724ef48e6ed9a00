package rbac_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// BenchmarkSignInSecondFactor is sign-in with a second factor at the
// default hash parameters on SQLite, beside the password alone in the
// same run: password_only (no second factor: the baseline), two_steps
// (the password step answering a challenge, then the code: a fresh
// authenticator code each iteration, the clock moving 30 s), and
// throttled (a locked login refused before any hashing). cpu-ns/op is
// the benchmark thread's CPU time (see cpuMetric): Argon2id's lanes on
// other threads are not in it, the wall ns/op has them and the machine's
// load.
func BenchmarkSignInSecondFactor(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	clk := &testClock{}
	clk.set(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	svc, err := rbac.New(ctx, st, rbac.Options{Now: clk.now, SignIn: rbac.SignInOptions{SecretKey: make([]byte, 32)}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = svc.Close() })
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil {
		b.Fatal(err)
	}
	person := func(login string) rbac.StaffID {
		s, err := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: login,
			FullName: rbac.Text(language.English, login), Password: goodPW, Departments: []rbac.DepartmentID{boot.Sales.ID}})
		if err != nil {
			b.Fatal(err)
		}
		return s.ID
	}
	person("plain")
	kate := person("kate")
	en, err := svc.EnrollTOTP(ctx, kate, kate)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.ConfirmTOTP(ctx, kate, kate, codeAt(b, en.Secret, clk.now())); err != nil {
		b.Fatal(err)
	}
	person("locked")
	lock := func(b *testing.B) { // ten failures, each past the back-off of the one before
		for range 10 {
			clk.set(clk.now().Add(20 * time.Second))
			if _, err := svc.Authenticate(ctx, "locked", "wrong-password-1"); err == nil {
				b.Fatal("signed in")
			}
		}
	}

	b.Run("password_only", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuMetric(b)()
		for b.Loop() {
			if _, err := svc.Authenticate(ctx, "plain", goodPW); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("two_steps", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuMetric(b)()
		for b.Loop() {
			clk.set(clk.now().Add(30 * time.Second))
			_, err := svc.Authenticate(ctx, "kate", goodPW)
			var sf *rbac.SecondFactorError
			if !errors.As(err, &sf) {
				b.Fatal(err)
			}
			code, err := totpCode(en.Secret, clk.now())
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svc.AuthenticateSecondFactor(ctx, sf.Challenge, code); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("throttled", func(b *testing.B) {
		lock(b)
		b.ReportAllocs()
		defer cpuMetric(b)()
		for b.Loop() {
			if _, err := svc.Authenticate(ctx, "locked", goodPW); !errors.Is(err, rbac.ErrSignInThrottled) {
				b.Fatal(err)
			}
		}
	})
}
