package rbac_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// Failed sign-ins with legacy bcrypt accepted at cost 10 (PHP's default)
// and the default Argon2id parameters: a wrong password on a bcrypt
// account at the bound and below it, on an Argon2id account, and an
// unknown login should take the same time (the work is equal by
// construction, see TestFailedSignInWorkIsEqualWithLegacyBcrypt; this
// measures what is left: store reads, scheduling).
func BenchmarkAuthenticateLegacyBcrypt(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{LegacyBcryptCost: 10}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = svc.Close() })
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil {
		b.Fatal(err)
	}
	mk := func(login, pw string) rbac.StaffID {
		s, err := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: login, FullName: rbac.Text(language.English, "Bench"), Password: pw})
		if err != nil {
			b.Fatal(err)
		}
		return s.ID
	}
	mk("argon", goodPW)
	for _, c := range []struct {
		login string
		cost  int
	}{{"bcrypt10", 10}, {"bcrypt8", 8}} {
		id := mk(c.login, "")
		h, err := bcrypt.GenerateFromPassword([]byte(goodPW), c.cost)
		if err != nil {
			b.Fatal(err)
		}
		if err := st.Update(ctx, func(tx rbac.Tx) error { return tx.SetPasswordHash(id, string(h)) }); err != nil {
			b.Fatal(err)
		}
	}
	// The cases interleave, one of each per iteration, so that a load
	// change on the machine falls on all of them alike; each reports its
	// own mean wall time per sign-in.
	logins := []string{"unknown", "argon", "bcrypt10", "bcrypt8"}
	total := make([]time.Duration, len(logins))
	for b.Loop() {
		for i, login := range logins {
			t0 := time.Now()
			if _, err := svc.Authenticate(ctx, login, "wrong-password-1"); err == nil {
				b.Fatal("signed in")
			}
			total[i] += time.Since(t0)
		}
	}
	for i, login := range logins {
		b.ReportMetric(float64(total[i].Microseconds())/1000/float64(b.N), "ms/"+login)
	}
	b.ReportMetric(0, "ns/op")
}
