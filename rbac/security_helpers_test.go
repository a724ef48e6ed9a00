package rbac_test

import (
	"context"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// newSecurityEnv is newAccountEnv with the clock under the test's control
// and sign-in options; it returns a function opening a second instance on
// the same database with the same options and clock.
func newSecurityEnv(t *testing.T, b testdb.Backend, so rbac.SignInOptions) (*env, *testClock, func() *rbac.Service) {
	t.Helper()
	ctx := context.Background()
	dsn := testdb.DSN(t, b)
	st := testdb.Open(t, dsn)
	require.NoError(t, st.Migrate(ctx))
	clk := &testClock{}
	clk.set(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	opts := rbac.Options{Now: clk.now, Accounts: rbac.AccountOptions{HashParams: fastHash}, SignIn: so, SyncInterval: -1}
	open := func() *rbac.Service {
		svc, err := rbac.New(ctx, testdb.Open(t, dsn), opts)
		require.NoError(t, err)
		t.Cleanup(func() { _ = svc.Close() })
		return svc
	}
	svc, err := rbac.New(ctx, st, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	require.NoError(t, err)
	return &env{t: t, ctx: ctx, dsn: dsn, st: st, svc: svc, boot: boot, admin: boot.Admin.ID}, clk, open
}

// codeAt is the authenticator's code for secret at t.
func codeAt(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	c, err := totpCode(secret, at)
	require.NoError(t, err)
	return c
}

func totpCode(secret string, at time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// enrolled enrols and confirms a second factor for id at the clock's
// time and returns its secret and recovery codes.
func (e *env) enrolled(clk *testClock, id rbac.StaffID) (string, []rbac.RecoveryCode) {
	e.t.Helper()
	en, err := e.svc.EnrollTOTP(e.ctx, id, id)
	require.NoError(e.t, err)
	codes, err := e.svc.ConfirmTOTP(e.ctx, id, id, codeAt(e.t, en.Secret, clk.now()))
	require.NoError(e.t, err)
	return en.Secret, codes
}

// challengeOf signs in with the password and returns the challenge of the
// second step, failing unless one is asked for.
func challengeOf(t *testing.T, svc *rbac.Service, login string) *rbac.SecondFactorError {
	t.Helper()
	_, err := svc.Authenticate(context.Background(), login, goodPW)
	require.ErrorIs(t, err, rbac.ErrSecondFactorRequired)
	var sf *rbac.SecondFactorError
	require.ErrorAs(t, err, &sf)
	return sf
}

// changesOf returns the change-log entries of op, oldest first.
func (e *env) changesOf(op rbac.Operation) []rbac.Change {
	e.t.Helper()
	out, err := e.st.Changes(e.ctx, rbac.ChangeQuery{Op: op, Limit: 1000})
	require.NoError(e.t, err)
	return out
}
