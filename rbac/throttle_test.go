package rbac_test

import (
	"encoding/json"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

func throttledUntil(t *testing.T, err error) *rbac.ThrottledError {
	t.Helper()
	require.ErrorIs(t, err, rbac.ErrSignInThrottled)
	var te *rbac.ThrottledError
	require.ErrorAs(t, err, &te)
	return te
}

// TestSignInThrottling: failures of a login add up across instances,
// back off exponentially and lock at the limit (written to the change
// log); a lock refuses even the right password, before any hashing; an
// administrator clears it; a success resets the count. Unknown logins are
// counted and refused the same way.
func TestSignInThrottling(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e, clk, open := newSecurityEnv(t, b, rbac.SignInOptions{Throttle: rbac.ThrottleOptions{
			MaxFailures: 4, BackoffAfter: 2, BaseDelay: time.Second, LockDuration: 10 * time.Minute, MaxAddressFailures: 1000}})
		hr := e.dept("HR", pStaffEdit)
		helen := e.person("helen", goodPW, hr)
		kate := e.person("kate", goodPW, e.dept("Billing", pInvoicesView))
		other := open()
		svcs := []*rbac.Service{e.svc, other}
		step := func() { clk.set(clk.now().Add(time.Second)) }

		for _, login := range []string{"kate", "nobody"} {
			_, err := e.svc.Authenticate(e.ctx, login, "wrong-password-1")
			require.ErrorIs(t, err, rbac.ErrBadCredentials)
			_, err = other.Authenticate(e.ctx, login, "wrong-password-2") // below BackoffAfter: no wait
			require.ErrorIs(t, err, rbac.ErrBadCredentials)
			// Two failures: 1 s back-off, on every instance, for the
			// right password too.
			for _, svc := range svcs {
				te := throttledUntil(t, first(svc.Authenticate(e.ctx, login, goodPW)))
				assert.False(t, te.Locked)
				assert.Equal(t, clk.now().Add(time.Second), te.Until)
			}
			step()
			_, err = other.Authenticate(e.ctx, login, "wrong-password-3")
			require.ErrorIs(t, err, rbac.ErrBadCredentials)
			step()
			te := throttledUntil(t, first(e.svc.Authenticate(e.ctx, login, goodPW)))
			assert.Equal(t, clk.now().Add(time.Second), te.Until, "doubled: 2 s after the third failure")
			step()
			_, err = e.svc.Authenticate(e.ctx, login, "wrong-password-4")
			require.ErrorIs(t, err, rbac.ErrBadCredentials)
			// Locked for ten minutes.
			clk.set(clk.now().Add(30 * time.Second))
			te = throttledUntil(t, first(other.Authenticate(e.ctx, login, goodPW)))
			assert.True(t, te.Locked)
		}

		locks := e.changesOf(rbac.OpSignInLock)
		require.Len(t, locks, 2)
		assert.Equal(t, "login:kate", locks[0].Target)
		assert.Equal(t, rbac.SystemActor, locks[0].Actor)
		var ev struct{ Failures int }
		require.NoError(t, json.Unmarshal(locks[0].After, &ev))
		assert.Equal(t, 4, ev.Failures)

		// Clearing is control of the account: helen (staff:edit) lacks
		// kate's invoices:view; the administrator clears it.
		require.ErrorIs(t, e.svc.ClearSignInLock(e.ctx, helen.ID, kate.ID), rbac.ErrPermissionDenied)
		require.ErrorIs(t, e.svc.ClearSignInLock(e.ctx, kate.ID, kate.ID), rbac.ErrPermissionDenied)
		throttledUntil(t, first(other.Authenticate(e.ctx, "kate", goodPW)))
		require.NoError(t, e.svc.ClearSignInLock(e.ctx, e.admin, kate.ID))
		got, err := other.Authenticate(e.ctx, "kate", goodPW)
		require.NoError(t, err)
		assert.Equal(t, kate.ID, got.ID)
		unlocks := e.changesOf(rbac.OpSignInUnlock)
		require.Len(t, unlocks, 1)
		assert.Equal(t, []rbac.StaffID{kate.ID}, unlocks[0].Effect.Control)

		// The lock ends by itself after LockDuration.
		throttledUntil(t, first(e.svc.Authenticate(e.ctx, "nobody", goodPW)))
		clk.set(clk.now().Add(10 * time.Minute))
		_, err = e.svc.Authenticate(e.ctx, "nobody", goodPW)
		require.ErrorIs(t, err, rbac.ErrBadCredentials)

		// A success resets the login's count.
		_, err = e.svc.Authenticate(e.ctx, "kate", "wrong-password-5")
		require.ErrorIs(t, err, rbac.ErrBadCredentials)
		f, _, err := e.svc.SignInThrottle(e.ctx, "kate")
		require.NoError(t, err)
		assert.Equal(t, 1, f.Count)
		_, err = e.svc.Authenticate(e.ctx, "kate", goodPW)
		require.NoError(t, err)
		f, _, err = e.svc.SignInThrottle(e.ctx, "kate")
		require.NoError(t, err)
		assert.Equal(t, 0, f.Count)
	})
}

// TestAddressThrottling: failures from one source address add up over
// logins; an IPv6 address counts for its /64.
func TestAddressThrottling(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e, _, _ := newSecurityEnv(t, b, rbac.SignInOptions{Throttle: rbac.ThrottleOptions{
			MaxAddressFailures: 3, BackoffAfter: 10, LockDuration: time.Minute}})
		e.person("kate", goodPW)
		for i, a := range []string{"2001:db8:0:1::1", "2001:db8:0:1::2", "2001:db8:0:1:ffff::3"} {
			_, err := e.svc.AuthenticateFrom(e.ctx, "user"+string(rune('a'+i)), goodPW, netip.MustParseAddr(a))
			require.ErrorIs(t, err, rbac.ErrBadCredentials)
		}
		te := throttledUntil(t, first(e.svc.AuthenticateFrom(e.ctx, "kate", goodPW, netip.MustParseAddr("2001:db8:0:1::99"))))
		assert.Equal(t, rbac.ThrottleKey("addr:2001:db8:0:1::/64"), te.Key)
		assert.True(t, te.Locked)
		_, err := e.svc.AuthenticateFrom(e.ctx, "kate", goodPW, netip.MustParseAddr("2001:db8:0:2::1"))
		require.NoError(t, err, "another /64")
		_, err = e.svc.AuthenticateFrom(e.ctx, "kate", goodPW, netip.MustParseAddr("192.0.2.1"))
		require.NoError(t, err)
	})
}

func first[T any](_ T, err error) error { return err }
