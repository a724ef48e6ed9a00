package rbac_test

import (
	"bytes"
	"encoding/json"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// TestTOTPSignIn: enrolment shows the secret once (URI and QR code),
// confirmation by a first code turns sign-in into two steps, a code is
// accepted once per step on any instance (a replay is refused, also on a
// second instance), a recovery code works once.
func TestTOTPSignIn(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e, clk, open := newSecurityEnv(t, b, rbac.SignInOptions{Issuer: "Hosting Co", SecretKey: bytes.Repeat([]byte{7}, 32)})
		kate := e.person("kate", goodPW, e.boot.Sales.ID)

		en, err := e.svc.EnrollTOTP(e.ctx, kate.ID, kate.ID)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(en.URI, "otpauth://totp/Hosting%20Co:kate?"), en.URI)
		assert.Contains(t, en.URI, "secret="+en.Secret)
		img, err := png.Decode(bytes.NewReader(en.QRCode))
		require.NoError(t, err)
		assert.Equal(t, 256, img.Bounds().Dx())

		// Not confirmed yet: the password alone still signs in.
		got, err := e.svc.Authenticate(e.ctx, "kate", goodPW)
		require.NoError(t, err)
		assert.Equal(t, kate.ID, got.ID)

		// Someone else cannot enrol or confirm for kate.
		_, err = e.svc.EnrollTOTP(e.ctx, e.admin, kate.ID)
		require.ErrorIs(t, err, rbac.ErrPermissionDenied)
		_, err = e.svc.ConfirmTOTP(e.ctx, e.admin, kate.ID, codeAt(t, en.Secret, clk.now()))
		require.ErrorIs(t, err, rbac.ErrPermissionDenied)

		_, err = e.svc.ConfirmTOTP(e.ctx, kate.ID, kate.ID, "000000")
		assert.Equal(t, []string{"code/mismatch"}, fieldRules(t, err))
		first := codeAt(t, en.Secret, clk.now())
		codes, err := e.svc.ConfirmTOTP(e.ctx, kate.ID, kate.ID, first)
		require.NoError(t, err)
		require.Len(t, codes, rbac.RecoveryCodeCount)
		st, err := e.svc.TOTPStatusOf(e.ctx, kate.ID)
		require.NoError(t, err)
		assert.Equal(t, rbac.TOTPStatus{Enrolled: true, Confirmed: true, RecoveryCodes: 10}, st)
		_, err = e.svc.EnrollTOTP(e.ctx, kate.ID, kate.ID)
		require.ErrorIs(t, err, rbac.ErrConflict)

		// The code that confirmed is spent: replaying it in the same
		// step is refused.
		sf := challengeOf(t, e.svc, "kate")
		assert.Equal(t, kate.ID, sf.Staff)
		assert.True(t, sf.Enrolled)
		_, err = e.svc.AuthenticateSecondFactor(e.ctx, sf.Challenge, first)
		require.ErrorIs(t, err, rbac.ErrBadSecondFactor)

		// The next step's code signs in, once.
		clk.set(clk.now().Add(30 * time.Second))
		next := codeAt(t, en.Secret, clk.now())
		got, err = e.svc.AuthenticateSecondFactor(e.ctx, sf.Challenge, next)
		require.NoError(t, err)
		assert.Equal(t, kate.ID, got.ID)
		assert.Equal(t, []rbac.DepartmentID{e.boot.Sales.ID}, got.Departments)
		_, err = e.svc.AuthenticateSecondFactor(e.ctx, sf.Challenge, next)
		require.ErrorIs(t, err, rbac.ErrChallengeExpired, "a used challenge is spent")

		// A replay of that code on a second instance, with a fresh
		// challenge, is refused: the last step is in the database.
		other := open()
		sf2 := challengeOf(t, other, "kate")
		_, err = other.AuthenticateSecondFactor(e.ctx, sf2.Challenge, next)
		require.ErrorIs(t, err, rbac.ErrBadSecondFactor)
		// Within the window, the previous step's code is older than the
		// last accepted one: refused too.
		clk.set(clk.now().Add(30 * time.Second))
		_, err = other.AuthenticateSecondFactor(e.ctx, sf2.Challenge, next)
		require.ErrorIs(t, err, rbac.ErrBadSecondFactor)
		clk.set(clk.now().Add(5 * time.Second)) // the failures' back-off (same step)
		got, err = other.AuthenticateSecondFactor(e.ctx, sf2.Challenge, codeAt(t, en.Secret, clk.now()))
		require.NoError(t, err)
		assert.Equal(t, kate.ID, got.ID)

		// A recovery code works once, typed in any case and grouping.
		sf3 := challengeOf(t, e.svc, "kate")
		typed := strings.ToUpper(strings.ReplaceAll(string(codes[3]), "-", " "))
		got, err = e.svc.AuthenticateSecondFactor(e.ctx, sf3.Challenge, typed)
		require.NoError(t, err)
		assert.Equal(t, kate.ID, got.ID)
		sf4 := challengeOf(t, other, "kate")
		_, err = other.AuthenticateSecondFactor(e.ctx, sf4.Challenge, string(codes[3]))
		require.ErrorIs(t, err, rbac.ErrBadSecondFactor)
		clk.set(clk.now().Add(5 * time.Second))
		got, err = other.AuthenticateSecondFactor(e.ctx, sf4.Challenge, string(codes[4]))
		require.NoError(t, err)
		st, err = e.svc.TOTPStatusOf(e.ctx, kate.ID)
		require.NoError(t, err)
		assert.Equal(t, 8, st.RecoveryCodes)

		// The log has enrol, confirm and the two recovery codes; never
		// the secret or a code.
		var events []string
		for _, c := range e.changesOf(rbac.OpStaffSecondFactor) {
			var ev struct{ Event string }
			require.NoError(t, json.Unmarshal(c.After, &ev))
			events = append(events, ev.Event)
			assert.NotContains(t, string(c.After), en.Secret)
		}
		assert.Equal(t, []string{"enrol", "confirm", "recovery_code", "recovery_code"}, events)
	})
}

// TestChallengeAttempts: a challenge takes a bounded number of codes and
// expires; expired or spent, it is refused whatever the code.
func TestChallengeAttempts(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e, clk, _ := newSecurityEnv(t, b, rbac.SignInOptions{ChallengeAttempts: 2,
			Throttle: rbac.ThrottleOptions{Off: true}})
		kate := e.person("kate", goodPW)
		secret, _ := e.enrolled(clk, kate.ID)
		clk.set(clk.now().Add(time.Minute))

		sf := challengeOf(t, e.svc, "kate")
		for range 2 {
			_, err := e.svc.AuthenticateSecondFactor(e.ctx, sf.Challenge, "123456")
			require.ErrorIs(t, err, rbac.ErrBadSecondFactor)
		}
		_, err := e.svc.AuthenticateSecondFactor(e.ctx, sf.Challenge, codeAt(t, secret, clk.now()))
		require.ErrorIs(t, err, rbac.ErrChallengeExpired, "the third attempt of a 2-attempt challenge")

		sf = challengeOf(t, e.svc, "kate")
		clk.set(sf.ExpiresAt)
		_, err = e.svc.AuthenticateSecondFactor(e.ctx, sf.Challenge, codeAt(t, secret, clk.now()))
		require.ErrorIs(t, err, rbac.ErrChallengeExpired)
		_, err = e.svc.AuthenticateSecondFactor(e.ctx, "not-a-challenge", "123456")
		require.ErrorIs(t, err, rbac.ErrChallengeExpired)
	})
}

// TestTOTPRemoval: the owner removes their own second factor; anyone else
// needs control of the account (removing it is control: the change's
// effect lists the account), so staff:edit alone does not remove an
// administrator's.
func TestTOTPRemoval(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e, clk, _ := newSecurityEnv(t, b, rbac.SignInOptions{})
		hr := e.dept("HR", pStaffEdit)
		billing := e.dept("Billing", pInvoicesView, pPayments)
		helen := e.person("helen", goodPW, hr)
		kate := e.person("kate", goodPW, billing)
		bob := e.person("bob", goodPW, hr)
		e.enrolled(clk, kate.ID)
		e.enrolled(clk, bob.ID)
		e.enrolled(clk, e.admin)

		// Helen (staff:edit) cannot remove kate's: kate holds what helen
		// does not.
		err := e.svc.RemoveTOTP(e.ctx, helen.ID, kate.ID)
		require.ErrorIs(t, err, rbac.ErrPermissionDenied)
		var de *rbac.DeniedError
		require.ErrorAs(t, err, &de)
		assert.True(t, de.Control)
		assert.Equal(t, kate.ID, de.Target)
		require.ErrorIs(t, e.svc.RemoveTOTP(e.ctx, helen.ID, e.admin), rbac.ErrPermissionDenied)

		// She can remove bob's (he holds nothing she lacks), and the
		// change's effect says it gave her control of his account.
		require.NoError(t, e.svc.RemoveTOTP(e.ctx, helen.ID, bob.ID))
		removals := e.changesOf(rbac.OpStaffSecondFactor)
		last := removals[len(removals)-1]
		assert.Equal(t, []rbac.StaffID{bob.ID}, last.Effect.Control)
		require.ErrorIs(t, e.svc.RemoveTOTP(e.ctx, helen.ID, bob.ID), rbac.ErrNotFound)

		// The owner and the administrator can.
		require.NoError(t, e.svc.RemoveTOTP(e.ctx, kate.ID, kate.ID))
		require.NoError(t, e.svc.RemoveTOTP(e.ctx, e.admin, e.admin))
		got, err := e.svc.Authenticate(e.ctx, "kate", goodPW)
		require.NoError(t, err, "without a second factor, the password signs in")
		assert.Equal(t, kate.ID, got.ID)
	})
}
