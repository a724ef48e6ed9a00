package rbac_test

import (
	"context"
	"path/filepath"
	"testing"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// benchSignIn opens a SQLite database with one staff member, kate, whose
// password is hashed with the default parameters.
func benchSignIn(b *testing.B) *rbac.Service {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	svc, err := rbac.New(ctx, st, rbac.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = svc.Close() })
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil {
		b.Fatal(err)
	}
	_, err = svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "kate",
		FullName: rbac.Text(language.English, "Kate Bell"), Password: goodPW, Departments: []rbac.DepartmentID{boot.Sales.ID}})
	if err != nil {
		b.Fatal(err)
	}
	return svc
}

// Authenticate end to end at the default parameters (SQLite): read the
// hash, verify, read the staff member.
func BenchmarkAuthenticate(b *testing.B) {
	svc := benchSignIn(b)
	ctx := context.Background()
	b.Run("ok", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := svc.Authenticate(ctx, "Kate", goodPW); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("wrong_password", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := svc.Authenticate(ctx, "kate", "wrong-password-1"); err == nil {
				b.Fatal("signed in")
			}
		}
	})
	b.Run("unknown_login", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := svc.Authenticate(ctx, "nobody", "wrong-password-1"); err == nil {
				b.Fatal("signed in")
			}
		}
	})
}
