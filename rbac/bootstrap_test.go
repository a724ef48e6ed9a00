package rbac_test

import (
	"context"
	"errors"
	"testing"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// Bootstrap is idempotent, and a given admin password must pass the
// password policy.
func TestBootstrap(t *testing.T) {
	ctx := context.Background()
	st := testdb.New(t, testdb.SQLite)
	svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	_, err = svc.Bootstrap(ctx, rbac.BootstrapOptions{AdminPassword: "password123"})
	var ve *rbac.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, rbac.ErrInvalid) || len(ve.Fields) == 0 || ve.Fields[0].Field != "admin_password" {
		t.Fatalf("weak admin password: err = %v", err)
	}
	if svc.Version() != 0 {
		t.Fatalf("a refused bootstrap moved the version to %d", svc.Version())
	}
	first, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil || !first.Created || len(first.AdminPassword) < 16 {
		t.Fatalf("first bootstrap: %+v, %v", first, err)
	}
	v := svc.Version()
	again, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil || again.Created || again.AdminPassword != "" || again.Admin.ID != first.Admin.ID || svc.Version() != v {
		t.Fatalf("second bootstrap: %+v, %v (version %d, want %d)", again, err, svc.Version(), v)
	}
	if !svc.Can(first.Admin.ID, rbac.Perm("anything", "at-all")) {
		t.Fatal("admin lacks full access")
	}
}
