package rbac

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Sentinels of two-step sign-in.
var (
	// ErrSecondFactorRequired is returned by Authenticate when the
	// password was right and the account needs a second factor: the
	// error is a *SecondFactorError carrying the challenge for
	// AuthenticateSecondFactor.
	ErrSecondFactorRequired = errors.New("second factor required")
	// ErrBadSecondFactor is returned by AuthenticateSecondFactor for a
	// code that is neither the authenticator's current one (not used
	// before) nor an unused recovery code.
	ErrBadSecondFactor = errors.New("bad second-factor code")
	// ErrChallengeExpired is returned by AuthenticateSecondFactor for a
	// challenge that is unknown, expired or spent (too many codes tried,
	// or used): sign in again from the password.
	ErrChallengeExpired = errors.New("sign-in challenge unknown, expired or spent")
)

// SecondFactorError is the "second factor needed" step of a sign-in: the
// password was right and the account's sign-in asks for a TOTP code (it
// has one confirmed, or a sign-in policy of it or of one of its
// departments requires one). It unwraps to ErrSecondFactorRequired.
type SecondFactorError struct {
	Staff StaffID
	// Challenge is the token to give AuthenticateSecondFactor with the
	// code, before ExpiresAt. It is a secret of this sign-in: keep it
	// server-side or in the client's session only.
	Challenge string
	ExpiresAt time.Time
	// Enrolled is false when a policy requires a second factor that the
	// account has not confirmed yet: the application has the owner enrol
	// (EnrollTOTP, ConfirmTOTP as the account) and then answer the
	// challenge with a later code.
	Enrolled bool
}

func (e *SecondFactorError) Error() string {
	return fmt.Sprintf("authenticate: staff %s: %v", e.Staff, ErrSecondFactorRequired)
}

func (e *SecondFactorError) Unwrap() error { return ErrSecondFactorRequired }

// signedIn finishes a sign-in whose password was right for st: the
// network allow-lists, then the second factor (a challenge instead of the
// account), then the login's failure counter is reset.
func (s *Service) signedIn(ctx context.Context, op string, st Staff, login string, from netip.Addr, c counted) (Staff, error) {
	pols, err := s.policies(ctx)
	if err != nil {
		return Staff{}, fmt.Errorf("%s: %w", op, err)
	}
	if err := pols.allowed(st, from); err != nil {
		return Staff{}, fmt.Errorf("%s: %w", op, err)
	}
	required := pols.requireSecondFactor(st)
	confirmed := false
	if fs, ok := s.store.(SecondFactorStore); ok {
		switch r, err := fs.TOTP(ctx, st.ID); {
		case err == nil:
			confirmed = r.Confirmed
		case !errors.Is(err, ErrNotFound):
			return Staff{}, fmt.Errorf("%s: %w", op, err)
		}
	} else if required {
		return Staff{}, fmt.Errorf("%s: a second factor is required and store %T keeps none: %w", op, s.store, errors.ErrUnsupported)
	}
	if required || confirmed {
		return Staff{}, s.challenge(ctx, op, st, login, from, confirmed)
	}
	s.throttleSucceeded(ctx, login, c)
	return st, nil
}

// challenge stores a new sign-in challenge for st and returns the
// *SecondFactorError carrying it.
func (s *Service) challenge(ctx context.Context, op string, st Staff, login string, from netip.Addr, enrolled bool) error {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	exp := s.now().Add(s.sec.ttl).UTC()
	c := Challenge{Hash: CodeHash(s.sec.codeHash("challenge", token)), Staff: st.ID, Login: login, ExpiresAt: exp}
	if from.IsValid() {
		c.Address = from.String()
	}
	if err := s.store.(SecondFactorStore).CreateChallenge(ctx, c, s.now()); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return &SecondFactorError{Staff: st.ID, Challenge: token, ExpiresAt: exp, Enrolled: enrolled}
}

// AuthenticateSecondFactor completes a sign-in that Authenticate answered
// with a *SecondFactorError: code is the authenticator's code (accepted
// within one 30-second step either side of now, and only for a step later
// than the last one accepted for the account, on any instance) or one of
// the account's unused recovery codes (then spent). A challenge accepts
// SignInOptions.ChallengeAttempts codes; each wrong one counts as a
// failed sign-in of the login (see ThrottleOptions).
//
// Errors: ErrChallengeExpired, ErrBadSecondFactor, ErrSignInThrottled,
// ErrAccountDisabled (the account was disabled meanwhile), ctx's.
func (s *Service) AuthenticateSecondFactor(ctx context.Context, challenge, code string) (Staff, error) {
	const op = "authenticate second factor"
	fs, err := s.factorStore(op)
	if err != nil {
		return Staff{}, err
	}
	if len(challenge) != 43 || len(code) > 64 {
		return Staff{}, fmt.Errorf("%s: %w", op, ErrChallengeExpired)
	}
	h := CodeHash(s.sec.codeHash("challenge", challenge))
	c, err := fs.ChallengeAttempt(ctx, h, s.now(), s.sec.attempts)
	if errors.Is(err, ErrNotFound) {
		return Staff{}, fmt.Errorf("%s: %w", op, ErrChallengeExpired)
	}
	if err != nil {
		return Staff{}, fmt.Errorf("%s: %w", op, err)
	}
	from, _ := netip.ParseAddr(c.Address)
	counted, err := s.throttled(ctx, c.Login, from)
	if err != nil {
		return Staff{}, fmt.Errorf("%s: %w", op, err)
	}
	st, err := s.StaffMember(ctx, c.Staff)
	if errors.Is(err, ErrNotFound) {
		return Staff{}, fmt.Errorf("%s: %w", op, ErrChallengeExpired)
	}
	if err != nil {
		return Staff{}, fmt.Errorf("%s: %w", op, err)
	}
	if st.Status == StatusDisabled {
		return Staff{}, fmt.Errorf("%s: %w", op, ErrAccountDisabled)
	}
	ok, err := s.checkCode(ctx, fs, st.ID, code)
	if err != nil {
		return Staff{}, fmt.Errorf("%s: %w", op, err)
	}
	if !ok {
		s.throttleFailed(ctx, c.Login, from)
		return Staff{}, fmt.Errorf("%s: %w", op, ErrBadSecondFactor)
	}
	if err := fs.DeleteChallenge(ctx, h); err != nil {
		return Staff{}, fmt.Errorf("%s: %w", op, err)
	}
	s.throttleSucceeded(ctx, c.Login, counted)
	return st, nil
}

// checkCode accepts a TOTP code (once per step) or a recovery code (once).
func (s *Service) checkCode(ctx context.Context, fs SecondFactorStore, id StaffID, code string) (bool, error) {
	r, err := fs.TOTP(ctx, id)
	if errors.Is(err, ErrNotFound) || err == nil && !r.Confirmed {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if len(code) == 6 {
		secret, err := s.sec.open(id, r.Secret)
		if err != nil {
			s.log.Warn("billingrbac: stored TOTP secret is unreadable", "staff", id, "err", err)
			return false, nil
		}
		step, ok := matchStep(secret, code, s.now())
		if !ok || step <= r.LastStep {
			return false, nil
		}
		return fs.UseTOTPStep(ctx, id, step)
	}
	rc := normalizeRecovery(code)
	if rc == "" {
		return false, nil
	}
	used, err := fs.UseRecoveryCode(ctx, id, CodeHash(s.sec.codeHash(id.String(), rc)))
	if err != nil || !used {
		return false, err
	}
	left := r.RecoveryCodes - 1
	_, err = s.write(ctx, func(w *txn) error {
		w.record(id, OpStaffSecondFactor, StaffSubject(id).String(), nil, totpEvent{Event: "recovery_code", Left: &left})
		return nil
	})
	if err != nil {
		s.log.Warn("billingrbac: recording the use of a recovery code failed", "staff", id, "err", err)
	}
	return true, nil
}
