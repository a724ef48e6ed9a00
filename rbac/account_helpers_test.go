package rbac_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// newAccountEnv is newEnv with account options (fast hashing unless opts
// say otherwise).
func newAccountEnv(t *testing.T, b testdb.Backend, opts rbac.AccountOptions) *env {
	t.Helper()
	if opts.HashParams == (rbac.HashParams{}) {
		opts.HashParams = fastHash
	}
	ctx := context.Background()
	dsn := testdb.DSN(t, b)
	st := testdb.Open(t, dsn)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc, err := rbac.New(ctx, st, rbac.Options{Accounts: opts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Close() })
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: ctx, dsn: dsn, st: st, svc: svc, boot: boot, admin: boot.Admin.ID}
}

// person creates a staff member with a password.
func (e *env) person(login, password string, depts ...rbac.DepartmentID) rbac.Staff {
	e.t.Helper()
	s, err := e.svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{
		Login: login, FullName: rbac.Text(language.English, "Test Person"), Password: password, Departments: depts})
	if err != nil {
		e.t.Fatalf("create staff %q: %v", login, err)
	}
	return s
}

// fields returns the "field/rule" pairs of a *ValidationError, or fails.
func fieldRules(t *testing.T, err error) []string {
	t.Helper()
	var ve *rbac.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *ValidationError", err, err)
	}
	if !errors.Is(err, rbac.ErrInvalid) {
		t.Fatalf("error %v does not match ErrInvalid", err)
	}
	out := make([]string, len(ve.Fields))
	for i, f := range ve.Fields {
		out[i] = f.Field + "/" + f.Rule
	}
	return out
}

// Small assertion helpers (the module keeps test dependencies at the
// standard library).

func mustNoErr(t testing.TB, err error, msg ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v %v", err, fmt.Sprint(msg...))
	}
}

func wantNoErr(t testing.TB, err error, msg ...any) {
	t.Helper()
	if err != nil {
		t.Errorf("unexpected error: %v %v", err, fmt.Sprint(msg...))
	}
}

func wantErrIs(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("error %v does not match %v", err, target)
	}
}

func wantEqual[T any](t testing.TB, got, want T, msg ...any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v %v", got, want, fmt.Sprint(msg...))
	}
}

func mustEqual[T any](t testing.TB, got, want T, msg ...any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, want %#v %v", got, want, fmt.Sprint(msg...))
	}
}

func wantTrue(t testing.TB, cond bool, format string, args ...any) {
	t.Helper()
	if !cond {
		t.Errorf(format, args...)
	}
}
