package rbac

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"image/png"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// OpStaffSecondFactor records enrolment, confirmation and removal of a
// staff member's second factor, and the use of a recovery code. The log
// holds the event, never the secret or a code.
const OpStaffSecondFactor Operation = "staff.second_factor"

// DenialOwnerOnly: the operation is the account owner's own (enrolling
// or confirming a second factor), and the actor is someone else.
const DenialOwnerOnly DenialCode = "owner_only"

// TOTP parameters: RFC 6238's defaults, which every authenticator app
// reads (SHA-1, 6 digits, 30 seconds), and the usual window of one step
// either side for clocks that drift.
const (
	totpPeriod = 30
	totpSkew   = 1
)

// TOTPEnrollment is what EnrollTOTP returns, once: the secret for the
// authenticator app, as text, as an otpauth:// URI and as the URI's QR
// code. Nothing can read it back later.
type TOTPEnrollment struct {
	Secret string // base32, for typing into an app
	URI    string // otpauth://totp/Issuer:login?secret=...
	QRCode []byte // PNG, 256×256, of URI
}

// TOTPStatus is what is known of a staff member's second factor, without
// its secret.
type TOTPStatus struct {
	Enrolled      bool // a secret is stored (confirmed or not)
	Confirmed     bool // a first code confirmed it: sign-in asks for codes
	RecoveryCodes int  // unused recovery codes left
}

// CodeHash is the stored form of a recovery code or a challenge token
// (see SignInOptions.SecretKey).
type CodeHash string

// TOTPRecord is a stored second factor: the secret as sealed (see
// SignInOptions.SecretKey), whether a first code confirmed it, the last
// time step a code was accepted for and how many recovery codes are left.
type TOTPRecord struct {
	Secret        string
	Confirmed     bool
	LastStep      int64
	RecoveryCodes int
}

// SecondFactorTx is implemented by the Tx of stores that keep second
// factors, as package store's does. Every method is a write of the
// account's sign-in (see controlTx).
type SecondFactorTx interface {
	// TOTPOf returns staff member id's second factor. Errors: ErrNotFound.
	TOTPOf(id StaffID) (TOTPRecord, error)
	// SetTOTP stores an unconfirmed secret for id, replacing an
	// unconfirmed one. Errors: ErrNotFound (no such staff member).
	SetTOTP(id StaffID, sealed string) error
	// ConfirmTOTP marks id's secret confirmed with its first accepted
	// step and stores the hashes of its recovery codes.
	ConfirmTOTP(id StaffID, step int64, recovery []CodeHash) error
	// RemoveTOTP deletes id's secret and recovery codes. Errors:
	// ErrNotFound (none).
	RemoveTOTP(id StaffID) error
}

// SecondFactorStore is implemented by stores that keep second factors.
// Its writes are single statements outside the change flow's lock, each
// atomic, so that every instance agrees on which code was used.
type SecondFactorStore interface {
	// TOTP returns staff member id's second factor. Errors: ErrNotFound.
	TOTP(ctx context.Context, id StaffID) (TOTPRecord, error)
	// UseTOTPStep records step as id's last accepted step if it is later
	// than the stored one and the secret is confirmed, and reports
	// whether it did: a code is accepted at most once, on any instance.
	UseTOTPStep(ctx context.Context, id StaffID, step int64) (bool, error)
	// UseRecoveryCode deletes id's recovery code h and reports whether
	// there was one.
	UseRecoveryCode(ctx context.Context, id StaffID, h CodeHash) (bool, error)
	// CreateChallenge stores a sign-in challenge (and may delete those
	// expired at now).
	CreateChallenge(ctx context.Context, c Challenge, now time.Time) error
	// ChallengeAttempt counts one attempt on challenge h and returns it,
	// if it exists, has not expired at now and has had fewer than max
	// attempts. Errors: ErrNotFound otherwise.
	ChallengeAttempt(ctx context.Context, h CodeHash, now time.Time, max int) (Challenge, error)
	// DeleteChallenge deletes challenge h (none is not an error).
	DeleteChallenge(ctx context.Context, h CodeHash) error
}

// Challenge is a stored sign-in challenge: the second step of a sign-in
// whose password was right.
type Challenge struct {
	Hash      CodeHash
	Staff     StaffID
	Login     string // the throttling key of the first step
	Address   string // the source address of the first step, "" if none
	ExpiresAt time.Time
	Attempts  int
}

// totpEvent is what the change log records of a second-factor change.
type totpEvent struct {
	Event string `json:"event"` // "enrol", "confirm", "remove", "recovery_code"
	Left  *int   `json:"recovery_codes_left,omitempty"`
}

func (s *Service) factorStore(op string) (SecondFactorStore, error) {
	fs, ok := s.store.(SecondFactorStore)
	if !ok {
		return nil, fmt.Errorf("%s: store %T keeps no second factors: %w", op, s.store, errors.ErrUnsupported)
	}
	return fs, nil
}

// EnrollTOTP generates a new TOTP secret for staff member id, stored
// unconfirmed (replacing an unconfirmed one), and returns it, its
// otpauth:// URI and QR code: the only time they are shown. Sign-in asks
// for codes once ConfirmTOTP has checked a first one. Only the owner
// enrols (actor == id). Errors: ErrPermissionDenied (someone else's
// account, or a disabled actor), ErrNotFound, ErrConflict (a confirmed
// second factor exists: RemoveTOTP it first).
func (s *Service) EnrollTOTP(ctx context.Context, actor, id StaffID) (TOTPEnrollment, error) {
	const op = "enrol second factor"
	if actor != id {
		return TOTPEnrollment{}, denied(op, actor, DenialOwnerOnly, "staff members enrol their own second factor")
	}
	if err := s.precheck(ctx, op, actor, Permission{}, 0); err != nil {
		return TOTPEnrollment{}, err
	}
	st, err := s.store.StaffMember(ctx, id)
	if err != nil {
		return TOTPEnrollment{}, fmt.Errorf("%s: staff %s: %w", op, id, err)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.sec.issuer, AccountName: st.Login,
		Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return TOTPEnrollment{}, fmt.Errorf("%s: %w", op, err)
	}
	img, err := key.Image(256, 256)
	if err != nil {
		return TOTPEnrollment{}, fmt.Errorf("%s: QR code: %w", op, err)
	}
	var qr bytes.Buffer
	if err := png.Encode(&qr, img); err != nil {
		return TOTPEnrollment{}, fmt.Errorf("%s: QR code: %w", op, err)
	}
	sealed, err := s.sec.seal(id, key.Secret())
	if err != nil {
		return TOTPEnrollment{}, fmt.Errorf("%s: %w", op, err)
	}
	_, err = s.write(ctx, func(w *txn) error {
		ft, err := w.factorTx(op)
		if err != nil {
			return err
		}
		switch cur, err := ft.TOTPOf(id); {
		case err == nil && cur.Confirmed:
			return fmt.Errorf("%s: staff %s has a confirmed second factor: %w", op, id, ErrConflict)
		case err != nil && !errors.Is(err, ErrNotFound):
			return err
		}
		if err := ft.SetTOTP(id, sealed); err != nil {
			return fmt.Errorf("%s: staff %s: %w", op, id, err)
		}
		w.record(actor, OpStaffSecondFactor, StaffSubject(id).String(), nil, totpEvent{Event: "enrol"})
		return nil
	})
	if err != nil {
		return TOTPEnrollment{}, err
	}
	return TOTPEnrollment{Secret: key.Secret(), URI: key.URL(), QRCode: qr.Bytes()}, nil
}

// ConfirmTOTP checks a first code from the authenticator against staff
// member id's unconfirmed secret; once it matches, sign-in asks for codes
// and RecoveryCodeCount recovery codes are generated and returned (only
// their hashes are kept: this is the only time they are shown). Only the
// owner confirms. Errors: ErrPermissionDenied, ErrNotFound (nothing
// enrolled), ErrConflict (already confirmed), ErrInvalid (field "code",
// rule "mismatch": not the current code, or one already used).
func (s *Service) ConfirmTOTP(ctx context.Context, actor, id StaffID, code string) ([]RecoveryCode, error) {
	const op = "confirm second factor"
	if actor != id {
		return nil, denied(op, actor, DenialOwnerOnly, "staff members confirm their own second factor")
	}
	if err := s.precheck(ctx, op, actor, Permission{}, 0); err != nil {
		return nil, err
	}
	codes := make([]RecoveryCode, RecoveryCodeCount)
	hashes := make([]CodeHash, RecoveryCodeCount)
	for i := range codes {
		c, err := newRecoveryCode()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		codes[i], hashes[i] = c, CodeHash(s.sec.codeHash(id.String(), normalizeRecovery(string(c))))
	}
	_, err := s.write(ctx, func(w *txn) error {
		ft, err := w.factorTx(op)
		if err != nil {
			return err
		}
		cur, err := ft.TOTPOf(id)
		if err != nil {
			return fmt.Errorf("%s: staff %s: %w", op, id, err)
		}
		if cur.Confirmed {
			return fmt.Errorf("%s: staff %s: already confirmed: %w", op, id, ErrConflict)
		}
		secret, err := s.sec.open(id, cur.Secret)
		if err != nil {
			return fmt.Errorf("%s: staff %s: %w", op, id, err)
		}
		step, ok := matchStep(secret, code, s.now())
		if !ok || step <= cur.LastStep {
			var fe fieldErrors
			fe.add("code", "mismatch", "is not the authenticator's current code")
			return fe.err(op)
		}
		if err := ft.ConfirmTOTP(id, step, hashes); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		n := len(hashes)
		w.record(actor, OpStaffSecondFactor, StaffSubject(id).String(), nil, totpEvent{Event: "confirm", Left: &n})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// RemoveTOTP deletes staff member id's second factor and recovery codes.
// The owner removes their own; anyone else needs staff:edit and, since an
// account without its second factor opens to whoever has its password,
// control of it: every permission it holds (full access for a
// full-access account's), as for ResetPassword. Errors: ErrNotFound (no
// second factor), ErrPermissionDenied.
func (s *Service) RemoveTOTP(ctx context.Context, actor, id StaffID) error {
	const op = "remove second factor"
	need := Perm(FuncStaff, ActEdit)
	if actor == id {
		need = Permission{}
	}
	if err := s.precheck(ctx, op, actor, need, id); err != nil {
		return err
	}
	_, err := s.write(ctx, func(w *txn) error {
		if actor != id {
			if err := w.authorize(op, actor, need); err != nil {
				return err
			}
		}
		ft, err := w.factorTx(op)
		if err != nil {
			return err
		}
		if err := ft.RemoveTOTP(id); err != nil {
			return fmt.Errorf("%s: staff %s: %w", op, id, err)
		}
		w.record(actor, OpStaffSecondFactor, StaffSubject(id).String(), nil, totpEvent{Event: "remove"})
		return nil
	})
	return err
}

// TOTPStatusOf returns what is known of staff member id's second factor.
// Errors: ErrNotFound (no such staff member).
func (s *Service) TOTPStatusOf(ctx context.Context, id StaffID) (TOTPStatus, error) {
	const op = "second factor status"
	fs, err := s.factorStore(op)
	if err != nil {
		return TOTPStatus{}, err
	}
	if _, err := s.store.StaffMember(ctx, id); err != nil {
		return TOTPStatus{}, fmt.Errorf("%s: staff %s: %w", op, id, err)
	}
	r, err := fs.TOTP(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return TOTPStatus{}, nil
	}
	if err != nil {
		return TOTPStatus{}, fmt.Errorf("%s: %w", op, err)
	}
	return TOTPStatus{Enrolled: true, Confirmed: r.Confirmed, RecoveryCodes: r.RecoveryCodes}, nil
}

// matchStep returns the time step, within totpSkew of now's, whose code
// is code. Every candidate is computed and compared in constant time.
func matchStep(secret, code string, now time.Time) (int64, bool) {
	if len(code) != 6 {
		return 0, false
	}
	cur := now.Unix() / totpPeriod
	var found int64
	ok := 0
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		want, err := hotp.GenerateCodeCustom(secret, uint64(cur+d),
			hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			found, ok = cur+d, 1
		}
	}
	return found, ok == 1
}
