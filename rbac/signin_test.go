package rbac_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

const goodPW = "plum-Orbit-7-lantern"

func storedHash(t *testing.T, e *env, login string) string {
	t.Helper()
	_, h, err := e.st.PasswordHash(e.ctx, login)
	mustOK(t, err)
	return h
}

func TestAuthenticate(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newAccountEnv(t, b, rbac.AccountOptions{})
		sales := e.boot.Sales.ID
		kate := e.person("kate", goodPW, sales)

		got, err := e.svc.Authenticate(e.ctx, "kate", goodPW)
		mustOK(t, err)
		eq(t, got.ID, kate.ID)
		eq(t, got.Login, "kate")
		eq(t, got.Departments, []rbac.DepartmentID{sales})
		eq(t, got.Status, rbac.StatusActive)

		got, err = e.svc.Authenticate(e.ctx, "  KaTe ", goodPW)
		mustOK(t, err, "login is case-insensitive")
		eq(t, got.ID, kate.ID)

		// Unknown login and wrong password: the same error.
		_, wrong := e.svc.Authenticate(e.ctx, "kate", goodPW+"x")
		_, unknown := e.svc.Authenticate(e.ctx, "nobody", goodPW)
		_, malformed := e.svc.Authenticate(e.ctx, "9 no such login!", goodPW)
		_, empty := e.svc.Authenticate(e.ctx, "kate", "")
		for _, err := range []error{wrong, unknown, malformed, empty} {
			isErr(t, err, rbac.ErrBadCredentials)
			eq(t, err.Error(), wrong.Error())
			truth(t, !errors.Is(err, rbac.ErrNotFound), "%v leaks ErrNotFound", err)
		}

		// No password set: the account cannot sign in.
		e.staff("nopass")
		_, err = e.svc.Authenticate(e.ctx, "nopass", "")
		isErr(t, err, rbac.ErrBadCredentials)
		eq(t, storedHash(t, e, "nopass"), "")
	})
}

func TestAuthenticateDisabled(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newAccountEnv(t, b, rbac.AccountOptions{})
		kate := e.person("kate", goodPW)
		disabled := rbac.StatusDisabled
		_, err := e.svc.UpdateStaff(e.ctx, e.admin, kate.ID, rbac.StaffUpdate{Status: &disabled})
		mustOK(t, err)

		_, err = e.svc.Authenticate(e.ctx, "kate", goodPW)
		isErr(t, err, rbac.ErrAccountDisabled)
		truth(t, !errors.Is(err, rbac.ErrBadCredentials), "disabled reported as bad credentials: %v", err)

		// Without the right password, disabled is not revealed.
		_, err = e.svc.Authenticate(e.ctx, "kate", "wrong-password-123")
		isErr(t, err, rbac.ErrBadCredentials)
		truth(t, !errors.Is(err, rbac.ErrAccountDisabled), "disabled revealed: %v", err)
	})
}

func TestRehashOnSignIn(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newAccountEnv(t, b, rbac.AccountOptions{})
		e.person("kate", goodPW)
		old := storedHash(t, e, "kate")
		p, _, _, err := rbac.ParsePHC(old)
		mustOK(t, err)
		eq(t, p, fastHash)

		// The same database, a Service with stronger parameters.
		stronger := rbac.HashParams{Memory: 128, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
		svc2, err := rbac.New(e.ctx, e.st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: stronger}})
		mustOK(t, err)
		defer svc2.Close()

		// A wrong password changes nothing.
		_, err = svc2.Authenticate(e.ctx, "kate", "not-the-password-1")
		isErr(t, err, rbac.ErrBadCredentials)
		eq(t, storedHash(t, e, "kate"), old)

		_, err = svc2.Authenticate(e.ctx, "kate", goodPW)
		mustOK(t, err)
		upgraded := storedHash(t, e, "kate")
		p, _, _, err = rbac.ParsePHC(upgraded)
		mustOK(t, err)
		eq(t, p, stronger)
		ok, err := rbac.VerifyPassword(goodPW, upgraded)
		mustOK(t, err)
		truth(t, ok, "upgraded hash does not verify")

		// Once upgraded, signing in again rewrites nothing.
		before := svc2.Version()
		_, err = svc2.Authenticate(e.ctx, "kate", goodPW)
		mustOK(t, err)
		eq(t, storedHash(t, e, "kate"), upgraded)
		eq(t, svc2.Version(), before)

		chs, err := e.st.Changes(e.ctx, rbac.ChangeQuery{Op: rbac.OpStaffPassword})
		mustOK(t, err)
		mustEq(t, len(chs), 1)
		eq(t, string(chs[0].After), `{"event":"rehash"}`)
	})
}

func TestChangePassword(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newAccountEnv(t, b, rbac.AccountOptions{})
		kate := e.person("kate", goodPW)
		const next = "violet-Harbor-9-cymbal"

		err := e.svc.ChangePassword(e.ctx, kate.ID, "wrong-old-password", next)
		isErr(t, err, rbac.ErrBadCredentials)

		err = e.svc.ChangePassword(e.ctx, kate.ID, goodPW, "zz-KATE-zz-4711q")
		eq(t, fields(t, err), []string{"new_password/contains_login"})
		err = e.svc.ChangePassword(e.ctx, kate.ID, goodPW, "Zq8!vR")
		eq(t, fields(t, err), []string{"new_password/min_length"})
		err = e.svc.ChangePassword(e.ctx, kate.ID, goodPW, goodPW)
		eq(t, fields(t, err), []string{"new_password/reuse"})

		err = e.svc.ChangePassword(e.ctx, 9999, goodPW, next)
		isErr(t, err, rbac.ErrNotFound)

		mustOK(t, e.svc.ChangePassword(e.ctx, kate.ID, goodPW, next))
		_, err = e.svc.Authenticate(e.ctx, "kate", goodPW)
		isErr(t, err, rbac.ErrBadCredentials)
		_, err = e.svc.Authenticate(e.ctx, "kate", next)
		noErr(t, err)

		chs, err := e.st.Changes(e.ctx, rbac.ChangeQuery{Op: rbac.OpStaffPassword})
		mustOK(t, err)
		mustEq(t, len(chs), 1)
		eq(t, chs[0].Actor, kate.ID)
		eq(t, string(chs[0].After), `{"event":"change"}`)
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
		mustOK(t, err)
		eq(t, len(pw), 24)
		noErr(t, rbac.PasswordPolicy{}.Check(pw, kate))
		_, err = e.svc.Authenticate(e.ctx, "kate", pw)
		noErr(t, err)
		_, err = e.svc.Authenticate(e.ctx, "kate", goodPW)
		isErr(t, err, rbac.ErrBadCredentials)

		// Neither the password nor its hash reaches the change log.
		chs, err := e.st.Changes(e.ctx, rbac.ChangeQuery{Op: rbac.OpStaffPassword})
		mustOK(t, err)
		mustEq(t, len(chs), 1)
		eq(t, chs[0].Actor, mgr.ID)
		eq(t, chs[0].Target, "staff:"+kate.ID.String())
		raw, _ := json.Marshal(chs[0])
		truth(t, !strings.Contains(string(raw), pw) && !strings.Contains(string(raw), "argon2"), "change log leaks: %s", raw)

		_, err = e.svc.ResetPassword(e.ctx, plain.ID, kate.ID)
		isErr(t, err, rbac.ErrPermissionDenied)
		_, err = e.svc.ResetPassword(e.ctx, mgr.ID, mgr.ID)
		isErr(t, err, rbac.ErrPermissionDenied)
		_, err = e.svc.ResetPassword(e.ctx, mgr.ID, e.admin) // full-access account
		isErr(t, err, rbac.ErrPermissionDenied)
		_, err = e.svc.ResetPassword(e.ctx, mgr.ID, 9999)
		isErr(t, err, rbac.ErrNotFound)
		_, err = e.svc.Authenticate(e.ctx, "plain", goodPW)
		noErr(t, err, "a refused reset changed nothing")
	})
}

// A store without passwords: the account methods say so.
type noPasswords struct{ rbac.Store }

func TestAccountsNeedPasswordStore(t *testing.T) {
	e := newAccountEnv(t, testdb.SQLite, rbac.AccountOptions{})
	svc, err := rbac.New(e.ctx, noPasswords{e.st}, rbac.Options{})
	mustOK(t, err)
	defer svc.Close()
	_, err = svc.Authenticate(e.ctx, "admin", goodPW)
	isErr(t, err, errors.ErrUnsupported)
}

func TestAccountOptionsRefused(t *testing.T) {
	e := newAccountEnv(t, testdb.SQLite, rbac.AccountOptions{})
	_, err := rbac.New(e.ctx, e.st, rbac.Options{Accounts: rbac.AccountOptions{
		HashParams:  rbac.HashParams{Memory: 1, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		Policy:      rbac.PasswordPolicy{MinLength: 4},
		PhoneRegion: "XX",
	}})
	eq(t, fields(t, err), []string{"memory/range", "policy.min_length/min", "phone_region/enum"})
	_, err = rbac.New(e.ctx, e.st, rbac.Options{Accounts: rbac.AccountOptions{Generator: rbac.GeneratorOptions{Length: 8}}})
	eq(t, fields(t, err), []string{"generator/policy"})
}

func ExampleService_Authenticate() {
	ctx := context.Background()
	st, _ := store.Open(ctx, ":memory:")
	defer st.Close()
	_ = st.Migrate(ctx)
	fast := rbac.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32} // production: leave zero
	svc, _ := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fast}})
	defer svc.Close()
	boot, _ := svc.Bootstrap(ctx, rbac.BootstrapOptions{HashParams: fast})

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
