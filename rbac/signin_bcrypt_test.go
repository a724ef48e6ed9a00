package rbac_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// legacyStaff creates a staff member without a password and stores hash
// for them as an importer would: a hash made by another system.
func legacyStaff(t *testing.T, e *env, login, hash string) rbac.Staff {
	t.Helper()
	st, err := e.svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{Login: login, FullName: rbac.Text(language.English, "Legacy Person")})
	require.NoError(t, err)
	require.NoError(t, e.st.Update(e.ctx, func(tx rbac.Tx) error { return tx.SetPasswordHash(st.ID, hash) }))
	return st
}

func bcryptHash(t *testing.T, pw string, cost int, prefix string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	require.NoError(t, err)
	return prefix + string(h[4:])
}

// A legacy bcrypt hash, in each of its spellings, signs in with the right
// password and is re-made with Argon2id at the current parameters in the
// same sign-in (recorded as a rehash); a wrong password changes nothing;
// afterwards the account signs in on its Argon2id hash alone. An
// installation that does not accept bcrypt (the default) refuses it as
// bad credentials.
func TestLegacyBcryptSignInUpgrades(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newAccountEnv(t, b, rbac.AccountOptions{LegacyBcryptCost: 5})
		for i, prefix := range []string{"$2a$", "$2b$", "$2y$"} {
			login := fmt.Sprintf("legacy%d", i)
			old := bcryptHash(t, goodPW, 4+i%2, prefix)
			kate := legacyStaff(t, e, login, old)

			_, err := e.svc.Authenticate(e.ctx, login, goodPW+"?")
			require.ErrorIs(t, err, rbac.ErrBadCredentials)
			require.Equal(t, old, storedPasswordHash(t, e, login), "a wrong password rewrites nothing")

			got, err := e.svc.Authenticate(e.ctx, strings.ToUpper(login), goodPW)
			require.NoError(t, err, prefix)
			assert.Equal(t, kate.ID, got.ID)
			upgraded := storedPasswordHash(t, e, login)
			require.True(t, strings.HasPrefix(upgraded, "$argon2id$"), "stored after sign-in: %s", upgraded)
			p, _, _, err := rbac.ParsePHC(upgraded)
			require.NoError(t, err)
			assert.Equal(t, fastHash, p)
			ok, err := rbac.VerifyPassword(goodPW, upgraded)
			require.NoError(t, err)
			assert.True(t, ok)

			before := e.svc.Version()
			_, err = e.svc.Authenticate(e.ctx, login, goodPW)
			require.NoError(t, err)
			assert.Equal(t, upgraded, storedPasswordHash(t, e, login))
			assert.Equal(t, before, e.svc.Version(), "no second rehash")
		}
		chs, err := e.st.Changes(e.ctx, rbac.ChangeQuery{Op: rbac.OpStaffPassword})
		require.NoError(t, err)
		require.Len(t, chs, 3)
		for _, ch := range chs {
			assert.JSONEq(t, `{"event":"rehash"}`, string(ch.After))
		}

		// A Service of the same database that accepts no bcrypt (the
		// default), and one whose bound is below the hash's cost.
		for _, cost := range []int{0, 4} {
			legacyStaff(t, e, fmt.Sprintf("dear%d", cost), bcryptHash(t, goodPW, 5, "$2y$"))
			svc, err := rbac.New(e.ctx, e.st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash, LegacyBcryptCost: cost}})
			require.NoError(t, err)
			_, err = svc.Authenticate(e.ctx, fmt.Sprintf("dear%d", cost), goodPW)
			require.ErrorIs(t, err, rbac.ErrBadCredentials, "LegacyBcryptCost %d", cost)
			require.NoError(t, svc.Close())
		}
	})
}

// workLog records every hash evaluation of a Service in both units.
type workLog struct {
	mu             sync.Mutex
	argon, bcryptN uint64
}

func observeWork(svc *rbac.Service) *workLog {
	l := &workLog{}
	svc.ObserveHashesForTest(func(p rbac.HashParams) {
		l.mu.Lock()
		l.argon += uint64(p.Memory) * uint64(p.Time)
		l.mu.Unlock()
	})
	svc.ObserveBcryptForTest(func(c int) {
		l.mu.Lock()
		l.bcryptN += 1 << c
		l.mu.Unlock()
	})
	return l
}

func (l *workLog) take() [2]uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := [2]uint64{l.argon, l.bcryptN}
	l.argon, l.bcryptN = 0, 0
	return out
}

// With legacy bcrypt accepted, every failed sign-in does the same work in
// both units, whatever the login: unknown, without a password, refused as
// input, an Argon2id account, a bcrypt account at a cheaper cost or at
// the bound, a bcrypt hash above the bound or malformed. So a wrong
// password does not tell a legacy account from an unknown login on any
// machine. Counted, not timed (BENCHMARKS.md has the times).
func TestFailedSignInWorkIsEqualWithLegacyBcrypt(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		const legacy = 6
		cur := rbac.HashParams{Memory: 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
		e := newAccountEnv(t, b, rbac.AccountOptions{HashParams: cur, LegacyBcryptCost: legacy})
		e.person("argon", goodPW)
		_, err := e.svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{Login: "nopw", FullName: rbac.Text(language.English, "N")})
		require.NoError(t, err)
		for c := 4; c <= legacy+1; c++ {
			legacyStaff(t, e, fmt.Sprintf("bcrypt%d", c), bcryptHash(t, goodPW, c, "$2y$"))
		}
		legacyStaff(t, e, "garbled", "$2y$05$"+strings.Repeat("!", 53))
		log := observeWork(e.svc)
		want := [2]uint64{uint64(cur.Memory) * uint64(cur.Time), 1 << legacy}
		for _, c := range []struct{ name, login, pw string }{
			{"unknown login", "ghost", goodPW},
			{"no password set", "nopw", goodPW},
			{"bad login", "x!", goodPW},
			{"password too long", "bcrypt4", strings.Repeat("x", 5000)},
			{"argon2id account", "argon", goodPW + "?"},
			{"bcrypt cost 4", "bcrypt4", goodPW + "?"},
			{"bcrypt cost 5", "bcrypt5", goodPW + "?"},
			{"bcrypt at the bound", "bcrypt6", goodPW + "?"},
			{"bcrypt above the bound", "bcrypt7", goodPW},
			{"malformed bcrypt", "garbled", goodPW},
		} {
			_, err := e.svc.Authenticate(e.ctx, c.login, c.pw)
			require.ErrorIs(t, err, rbac.ErrBadCredentials, c.name)
			assert.Equal(t, want, log.take(), c.name)
		}
	})
}

func TestLegacyBcryptCostRefused(t *testing.T) {
	st := testdb.Open(t, testdb.DSN(t, testdb.SQLite))
	for _, c := range []int{-1, 3, 15, 31} {
		_, err := rbac.New(t.Context(), st, rbac.Options{Accounts: rbac.AccountOptions{LegacyBcryptCost: c}})
		requireField(t, err, "legacy_bcrypt_cost", "range")
	}
}
