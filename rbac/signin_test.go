package rbac_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

const goodPW = "plum-Orbit-7-lantern"

func storedPasswordHash(t *testing.T, e *env, login string) string {
	t.Helper()
	_, h, err := e.st.PasswordHash(e.ctx, login)
	mustNoErr(t, err)
	return h
}

func TestAuthenticate(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newAccountEnv(t, b, rbac.AccountOptions{})
		sales := e.boot.Sales.ID
		kate := e.person("kate", goodPW, sales)

		got, err := e.svc.Authenticate(e.ctx, "kate", goodPW)
		mustNoErr(t, err)
		wantEqual(t, got.ID, kate.ID)
		wantEqual(t, got.Login, "kate")
		wantEqual(t, got.Departments, []rbac.DepartmentID{sales})
		wantEqual(t, got.Status, rbac.StatusActive)

		got, err = e.svc.Authenticate(e.ctx, "  KaTe ", goodPW)
		mustNoErr(t, err, "login is case-insensitive")
		wantEqual(t, got.ID, kate.ID)

		// Unknown login and wrong password: the same error.
		_, wrong := e.svc.Authenticate(e.ctx, "kate", goodPW+"x")
		_, unknown := e.svc.Authenticate(e.ctx, "nobody", goodPW)
		_, malformed := e.svc.Authenticate(e.ctx, "9 no such login!", goodPW)
		_, empty := e.svc.Authenticate(e.ctx, "kate", "")
		for _, err := range []error{wrong, unknown, malformed, empty} {
			wantErrIs(t, err, rbac.ErrBadCredentials)
			wantEqual(t, err.Error(), wrong.Error())
			wantTrue(t, !errors.Is(err, rbac.ErrNotFound), "%v leaks ErrNotFound", err)
		}

		// No password set: the account cannot sign in.
		e.staff("nopass")
		_, err = e.svc.Authenticate(e.ctx, "nopass", "")
		wantErrIs(t, err, rbac.ErrBadCredentials)
		wantEqual(t, storedPasswordHash(t, e, "nopass"), "")
	})
}

func TestAuthenticateDisabled(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newAccountEnv(t, b, rbac.AccountOptions{})
		kate := e.person("kate", goodPW)
		disabled := rbac.StatusDisabled
		_, err := e.svc.UpdateStaff(e.ctx, e.admin, kate.ID, rbac.StaffUpdate{Status: &disabled})
		mustNoErr(t, err)

		_, err = e.svc.Authenticate(e.ctx, "kate", goodPW)
		wantErrIs(t, err, rbac.ErrAccountDisabled)
		wantTrue(t, !errors.Is(err, rbac.ErrBadCredentials), "disabled reported as bad credentials: %v", err)

		// Without the right password, disabled is not revealed.
		_, err = e.svc.Authenticate(e.ctx, "kate", "wrong-password-123")
		wantErrIs(t, err, rbac.ErrBadCredentials)
		wantTrue(t, !errors.Is(err, rbac.ErrAccountDisabled), "disabled revealed: %v", err)

		// Changing the password: the same order.
		err = e.svc.ChangePassword(e.ctx, kate.ID, "wrong-password-123", "violet-Harbor-9-cymbal")
		wantErrIs(t, err, rbac.ErrBadCredentials)
		err = e.svc.ChangePassword(e.ctx, kate.ID, goodPW, "violet-Harbor-9-cymbal")
		wantErrIs(t, err, rbac.ErrAccountDisabled)

		// Enabled again, the same password works.
		active := rbac.StatusActive
		_, err = e.svc.UpdateStaff(e.ctx, e.admin, kate.ID, rbac.StaffUpdate{Status: &active})
		mustNoErr(t, err)
		_, err = e.svc.Authenticate(e.ctx, "kate", goodPW)
		wantNoErr(t, err)
	})
}

func TestRehashOnSignIn(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newAccountEnv(t, b, rbac.AccountOptions{})
		e.person("kate", goodPW)
		old := storedPasswordHash(t, e, "kate")
		p, _, _, err := rbac.ParsePHC(old)
		mustNoErr(t, err)
		wantEqual(t, p, fastHash)

		// The same database, a Service with stronger parameters.
		stronger := rbac.HashParams{Memory: 128, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
		svc2, err := rbac.New(e.ctx, e.st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: stronger}})
		mustNoErr(t, err)
		defer svc2.Close()

		// A wrong password changes nothing.
		_, err = svc2.Authenticate(e.ctx, "kate", "not-the-password-1")
		wantErrIs(t, err, rbac.ErrBadCredentials)
		wantEqual(t, storedPasswordHash(t, e, "kate"), old)

		_, err = svc2.Authenticate(e.ctx, "kate", goodPW)
		mustNoErr(t, err)
		upgraded := storedPasswordHash(t, e, "kate")
		p, _, _, err = rbac.ParsePHC(upgraded)
		mustNoErr(t, err)
		wantEqual(t, p, stronger)
		ok, err := rbac.VerifyPassword(goodPW, upgraded)
		mustNoErr(t, err)
		wantTrue(t, ok, "upgraded hash does not verify")

		// Once upgraded, signing in again rewrites nothing.
		before := svc2.Version()
		_, err = svc2.Authenticate(e.ctx, "kate", goodPW)
		mustNoErr(t, err)
		wantEqual(t, storedPasswordHash(t, e, "kate"), upgraded)
		wantEqual(t, svc2.Version(), before)

		chs, err := e.st.Changes(e.ctx, rbac.ChangeQuery{Op: rbac.OpStaffPassword})
		mustNoErr(t, err)
		mustEqual(t, len(chs), 1)
		wantEqual(t, string(chs[0].After), `{"event":"rehash"}`)
	})
}

func TestChangePassword(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newAccountEnv(t, b, rbac.AccountOptions{})
		kate := e.person("kate", goodPW)
		const next = "violet-Harbor-9-cymbal"

		err := e.svc.ChangePassword(e.ctx, kate.ID, "wrong-old-password", next)
		wantErrIs(t, err, rbac.ErrBadCredentials)

		err = e.svc.ChangePassword(e.ctx, kate.ID, goodPW, "zz-KATE-zz-4711q")
		wantEqual(t, fieldRules(t, err), []string{"new_password/contains_login"})
		err = e.svc.ChangePassword(e.ctx, kate.ID, goodPW, "Zq8!vR")
		wantEqual(t, fieldRules(t, err), []string{"new_password/min_length"})
		err = e.svc.ChangePassword(e.ctx, kate.ID, goodPW, goodPW)
		wantEqual(t, fieldRules(t, err), []string{"new_password/reuse"})

		err = e.svc.ChangePassword(e.ctx, 9999, goodPW, next)
		wantErrIs(t, err, rbac.ErrNotFound)

		mustNoErr(t, e.svc.ChangePassword(e.ctx, kate.ID, goodPW, next))
		_, err = e.svc.Authenticate(e.ctx, "kate", goodPW)
		wantErrIs(t, err, rbac.ErrBadCredentials)
		_, err = e.svc.Authenticate(e.ctx, "kate", next)
		wantNoErr(t, err)

		chs, err := e.st.Changes(e.ctx, rbac.ChangeQuery{Op: rbac.OpStaffPassword})
		mustNoErr(t, err)
		mustEqual(t, len(chs), 1)
		wantEqual(t, chs[0].Actor, kate.ID)
		wantEqual(t, string(chs[0].After), `{"event":"change"}`)
	})
}

func TestResetPassword(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newAccountEnv(t, b, rbac.AccountOptions{Generator: rbac.GeneratorOptions{Length: 24}})
		staffEditors := e.dept("Staff editors", pStaffEdit)
		mgr := e.person("manager", goodPW, staffEditors)
		kate := e.person("kate", goodPW)
		plain := e.person("plain", goodPW)

		pw, err := e.svc.ResetPassword(e.ctx, mgr.ID, kate.ID)
		mustNoErr(t, err)
		wantEqual(t, len(pw), 24)
		wantNoErr(t, rbac.PasswordPolicy{}.Check(pw, kate))
		_, err = e.svc.Authenticate(e.ctx, "kate", pw)
		wantNoErr(t, err)
		_, err = e.svc.Authenticate(e.ctx, "kate", goodPW)
		wantErrIs(t, err, rbac.ErrBadCredentials)

		// Neither the password nor its hash reaches the change log.
		chs, err := e.st.Changes(e.ctx, rbac.ChangeQuery{Op: rbac.OpStaffPassword})
		mustNoErr(t, err)
		mustEqual(t, len(chs), 1)
		wantEqual(t, chs[0].Actor, mgr.ID)
		wantEqual(t, chs[0].Target, "staff:"+kate.ID.String())
		raw, _ := json.Marshal(chs[0])
		wantTrue(t, !strings.Contains(string(raw), pw) && !strings.Contains(string(raw), "argon2"), "change log leaks: %s", raw)

		_, err = e.svc.ResetPassword(e.ctx, plain.ID, kate.ID)
		wantErrIs(t, err, rbac.ErrPermissionDenied)
		_, err = e.svc.ResetPassword(e.ctx, mgr.ID, mgr.ID)
		wantErrIs(t, err, rbac.ErrPermissionDenied)
		_, err = e.svc.ResetPassword(e.ctx, mgr.ID, e.admin) // full-access account
		wantErrIs(t, err, rbac.ErrPermissionDenied)
		_, err = e.svc.ResetPassword(e.ctx, mgr.ID, 9999)
		wantErrIs(t, err, rbac.ErrNotFound)
		_, err = e.svc.Authenticate(e.ctx, "plain", goodPW)
		wantNoErr(t, err, "a refused reset changed nothing")
	})
}

// A store without passwords: the account methods say so.
type noPasswords struct{ rbac.Store }

func TestAccountsNeedPasswordStore(t *testing.T) {
	e := newAccountEnv(t, testdb.SQLite, rbac.AccountOptions{})
	svc, err := rbac.New(e.ctx, noPasswords{e.st}, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	mustNoErr(t, err)
	defer svc.Close()
	_, err = svc.Authenticate(e.ctx, "admin", goodPW)
	wantErrIs(t, err, errors.ErrUnsupported)
}

func TestAccountOptionsRefused(t *testing.T) {
	e := newAccountEnv(t, testdb.SQLite, rbac.AccountOptions{})
	_, err := rbac.New(e.ctx, e.st, rbac.Options{Accounts: rbac.AccountOptions{
		HashParams:  rbac.HashParams{Memory: 1, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		Policy:      rbac.PasswordPolicy{MinLength: 4},
		PhoneRegion: "XX",
	}})
	wantEqual(t, fieldRules(t, err), []string{"memory/range", "policy.min_length/min", "phone_region/enum"})
	_, err = rbac.New(e.ctx, e.st, rbac.Options{Accounts: rbac.AccountOptions{Generator: rbac.GeneratorOptions{Length: 8}}})
	wantEqual(t, fieldRules(t, err), []string{"generator/policy"})
}

func ExampleService_Authenticate() {
	ctx := context.Background()
	st, _ := store.Open(ctx, ":memory:")
	defer st.Close()
	_ = st.Migrate(ctx)
	fast := rbac.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32} // production: leave zero
	svc, _ := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fast}})
	defer svc.Close()
	boot, _ := svc.Bootstrap(ctx, rbac.BootstrapOptions{})

	admin, err := svc.Authenticate(ctx, "ADMIN", boot.AdminPassword)
	fmt.Println(admin.Login, admin.FullAccess, err)
	_, err = svc.Authenticate(ctx, "admin", "guess-guess-guess")
	fmt.Println(err)
	_, err = svc.Authenticate(ctx, "nobody", "guess-guess-guess")
	fmt.Println(err)
	// Output:
	// admin true <nil>
	// authenticate: bad login or password
	// authenticate: bad login or password
}

// Many sign-ins through one verification slot: all are answered, and a
// cancelled context is reported as such.
func TestAuthenticateConcurrencyBound(t *testing.T) {
	e := newAccountEnv(t, testdb.SQLite, rbac.AccountOptions{MaxConcurrentHashes: 1})
	e.person("kate", goodPW)
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			pw := goodPW
			if i%2 == 1 {
				pw = "wrong-password-123"
			}
			_, err := e.svc.Authenticate(e.ctx, "kate", pw)
			errs <- err
		}()
	}
	bad := 0
	for range 8 {
		if err := <-errs; errors.Is(err, rbac.ErrBadCredentials) {
			bad++
		} else {
			wantNoErr(t, err)
		}
	}
	wantEqual(t, bad, 4)

	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	_, err := e.svc.Authenticate(ctx, "kate", goodPW)
	wantErrIs(t, err, context.Canceled)
	_, err = rbac.New(e.ctx, e.st, rbac.Options{Accounts: rbac.AccountOptions{MaxConcurrentHashes: -1}})
	wantEqual(t, fieldRules(t, err), []string{"max_concurrent_hashes/min"})
}

func ExampleService_ResetPassword() {
	ctx := context.Background()
	st, _ := store.Open(ctx, ":memory:")
	defer st.Close()
	_ = st.Migrate(ctx)
	fast := rbac.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32} // production: leave zero
	svc, _ := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fast}})
	defer svc.Close()
	boot, _ := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	kate, _ := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "kate",
		FullName: rbac.Text(language.English, "Kate Bell")}) // no password yet

	pw, err := svc.ResetPassword(ctx, boot.Admin.ID, kate.ID) // shown once: hand it to Kate
	fmt.Println(len(pw), err)
	_, err = svc.Authenticate(ctx, "kate", pw)
	fmt.Println(err)
	err = svc.ChangePassword(ctx, kate.ID, pw, "plum-Orbit-7-lantern")
	fmt.Println(err)
	// Output:
	// 20 <nil>
	// <nil>
	// <nil>
}
