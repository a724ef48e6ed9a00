package rbac_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// hashLog records the Argon2id evaluations a Service starts.
type hashLog struct {
	mu  sync.Mutex
	got []rbac.HashParams
}

func observe(svc *rbac.Service) *hashLog {
	l := &hashLog{}
	svc.ObserveHashesForTest(func(p rbac.HashParams) {
		l.mu.Lock()
		l.got = append(l.got, p)
		l.mu.Unlock()
	})
	return l
}

// take returns and forgets what was recorded.
func (l *hashLog) take() []rbac.HashParams {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.got
	l.got = nil
	return out
}

// work is the Argon2id work of ps in KiB-passes (what timing reveals).
func work(ps []rbac.HashParams) uint64 {
	var w uint64
	for _, p := range ps {
		w += uint64(p.Memory) * uint64(p.Time)
	}
	return w
}

// Every failed sign-in does the same Argon2id work, one evaluation at the
// current parameters, whatever the login: unknown, without a password,
// refused as input, with a hash at the current parameters or at older,
// cheaper ones (the admin of a Bootstrap made before the parameters were
// raised, an account not signed into since). So the answer's timing does
// not tell which logins exist. Counted, not timed.
func TestFailedSignInWorkIsEqual(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		old := fastHash // 64 KiB, 1 pass
		cur := rbac.HashParams{Memory: 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
		e := newAccountEnv(t, b, rbac.AccountOptions{HashParams: old})
		e.person("stale", goodPW)

		svc, err := rbac.New(e.ctx, e.st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: cur}})
		require.NoError(t, err)
		t.Cleanup(func() { _ = svc.Close() })
		_, err = svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{Login: "fresh", FullName: rbac.Text(language.English, "F"), Password: goodPW})
		require.NoError(t, err)
		_, err = svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{Login: "nopw", FullName: rbac.Text(language.English, "N")})
		require.NoError(t, err)
		log := observe(svc)

		for _, c := range []struct{ name, login, pw string }{
			{"unknown login", "ghost", goodPW},
			{"no password set", "nopw", goodPW},
			{"bad login", "x!", goodPW},
			{"password too long", "fresh", strings.Repeat("x", 5000)},
			{"current parameters", "fresh", goodPW + "?"},
			{"older parameters", "stale", goodPW + "?"},
			{"bootstrap admin with older parameters", "admin", goodPW + "?"},
		} {
			_, err := svc.Authenticate(e.ctx, c.login, c.pw)
			require.ErrorIs(t, err, rbac.ErrBadCredentials, c.name)
			got := log.take()
			require.Equal(t, work([]rbac.HashParams{cur}), work(got), "%s: evaluations %+v", c.name, got)
		}

		// The right password on an old hash: its verification, then the
		// rehash at the current parameters.
		_, err = svc.Authenticate(e.ctx, "stale", goodPW)
		require.NoError(t, err)
		require.Equal(t, []rbac.HashParams{old, cur}, log.take())
		p, _, _, err := rbac.ParsePHC(storedPasswordHash(t, e, "stale"))
		require.NoError(t, err)
		require.Equal(t, cur, p)
	})
}

// Bootstrap hashes the admin's password with the Service's parameters.
func TestBootstrapUsesServiceHashParams(t *testing.T) {
	cur := rbac.HashParams{Memory: 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
	e := newAccountEnv(t, testdb.SQLite, rbac.AccountOptions{HashParams: cur})
	p, _, _, err := rbac.ParsePHC(storedPasswordHash(t, e, "admin"))
	require.NoError(t, err)
	require.Equal(t, cur, p)
}

// ChangePassword checks the new password before verifying the current
// one: a refused new password costs no Argon2id evaluation.
func TestChangePasswordRefusesBeforeHashing(t *testing.T) {
	e := newAccountEnv(t, testdb.SQLite, rbac.AccountOptions{})
	kate := e.person("kate", goodPW)
	log := observe(e.svc)
	err := e.svc.ChangePassword(e.ctx, kate.ID, goodPW, "123456789012")
	requireField(t, err, "new_password", "strength")
	require.ErrorIs(t, e.svc.ChangePassword(e.ctx, kate.ID, goodPW, goodPW), rbac.ErrInvalid)
	require.Empty(t, log.take())
	require.NoError(t, e.svc.ChangePassword(e.ctx, kate.ID, goodPW, "copper-Velvet-9-harbour"))
	require.Len(t, log.take(), 2, "verify the current password, hash the new one")
}
