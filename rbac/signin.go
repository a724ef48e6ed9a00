package rbac

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/billingrbac/billingrbac/internal/avatar"
	"github.com/billingrbac/billingrbac/internal/password"
)

// AccountOptions configures staff accounts: password hashing, the password
// policy, generated passwords and phone numbers. The zero value is the
// safe default.
type AccountOptions struct {
	// HashParams for new hashes; zero means DefaultHashParams. Hashes made
	// with other parameters are re-made on the next successful sign-in.
	HashParams HashParams
	// Policy is the password policy; the zero value is the default.
	Policy PasswordPolicy
	// Generator configures passwords made by ResetPassword; it must fit
	// Policy.
	Generator GeneratorOptions
	// PhoneRegion is the CLDR region code ("US", "RU", ...) of phone
	// numbers given without a leading '+'. "" means phone numbers must be
	// international.
	PhoneRegion string
	// MaxConcurrentHashes bounds the Argon2id work in progress: every
	// hash and verification of the Service (sign-in, the rehash after it,
	// ChangePassword, ResetPassword, CreateStaff, Bootstrap) runs in one
	// pool of this many evaluations at HashParams.Memory each; the others
	// wait for a share or for their context. 0 means 2 × GOMAXPROCS.
	MaxConcurrentHashes int
	// SSOOnly turns passwords off: staff sign in through the application's
	// single sign-on, identified by their external subject
	// (AuthenticateSubject). Authenticate, ChangePassword and
	// ResetPassword then return ErrPasswordsDisabled without any hashing,
	// CreateStaff and Bootstrap refuse a password with it, and Bootstrap
	// generates none (it needs BootstrapOptions.AdminSubject instead).
	// Password hashes already stored stay, unused.
	SSOOnly bool
	// LegacyBcryptCost is the costliest bcrypt hash the installation
	// accepts: hashes imported from another system ($2a$, $2b$, $2y$)
	// sign in and are re-made with Argon2id at HashParams on the first
	// successful sign-in. 0 (the default) accepts none; otherwise 4 to 14
	// (10 is PHP's password_hash default). A stored bcrypt hash above it
	// is unreadable: it does not sign in.
	//
	// Setting it raises the work of every failed sign-in: one Argon2id
	// evaluation at HashParams plus bcrypt work at this cost (about 60 ms
	// on one core at 10), so that a wrong password on a legacy account
	// costs what an unknown login does. The two are padded separately
	// (see Authenticate), so this holds on any machine. Set it back to 0
	// once no bcrypt hash is left.
	LegacyBcryptCost int
	// MaxConcurrentDecodes bounds how many avatar uploads SetAvatar
	// decodes at once, each within MaxAvatarPixels (about 6 MiB at
	// most); the others wait for a slot or their context. 0 means
	// GOMAXPROCS.
	MaxConcurrentDecodes int
}

// PasswordStore is implemented by stores that keep password hashes, as
// package store does. Authenticate, ChangePassword and ResetPassword need
// it; the Service asserts it at run time.
type PasswordStore interface {
	// PasswordHash returns the ID and the stored PHC hash ("" when none
	// is set) of the staff member with login (lower case). Errors:
	// ErrNotFound.
	PasswordHash(ctx context.Context, login string) (StaffID, string, error)
}

// AccountTx is implemented by the Tx of stores that keep passwords, as
// package store's does. With it, password changes are compare-and-set and
// duplicate logins and e-mails are reported as field errors.
type AccountTx interface {
	// PasswordHashOf returns the stored hash of staff member id ("" when
	// none). Errors: ErrNotFound.
	PasswordHashOf(id StaffID) (string, error)
	// StaffIDByLogin returns the staff member with login. Errors:
	// ErrNotFound.
	StaffIDByLogin(login string) (StaffID, error)
	// StaffIDByEmail returns the staff member with email, compared
	// case-insensitively. Errors: ErrNotFound.
	StaffIDByEmail(email string) (StaffID, error)
}

// accounts is the Service's resolved AccountOptions.
type accounts struct {
	params  HashParams
	policy  PasswordPolicy
	gen     GeneratorOptions
	region  string
	ssoOnly bool           // SSOOnly
	legacy  int            // LegacyBcryptCost
	floor   password.Work  // the work of every failed sign-in
	pool    *password.Pool // every hash evaluation of the Service
	avatars *avatar.Pool   // every avatar decode of the Service
}

func (a *accounts) init(o AccountOptions) error {
	a.params = o.HashParams
	if a.params == (HashParams{}) {
		a.params = DefaultHashParams()
	}
	var fe fieldErrors
	a.params.check(&fe)
	if err := o.Policy.Validate(); err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			for _, f := range ve.Fields {
				fe.add("policy."+f.Field, f.Rule, "%s", f.Message)
			}
		}
	} else if _, err := o.Policy.Generate(o.Generator, Staff{}); err != nil {
		fe.add("generator", "policy", "generated passwords cannot satisfy the policy: %v", err)
	}
	a.region = strings.ToUpper(strings.TrimSpace(o.PhoneRegion))
	if a.region != "" && !phonenumbers.GetSupportedRegions()[a.region] {
		fe.add("phone_region", "enum", "%q is not a region phone numbers are known for", o.PhoneRegion)
	}
	n := o.MaxConcurrentHashes
	if n == 0 {
		n = 2 * runtime.GOMAXPROCS(0)
	}
	if n < 0 {
		fe.add("max_concurrent_hashes", "min", "must not be negative")
	}
	a.pool = password.NewPool(n, password.Params(a.params))
	a.legacy = o.LegacyBcryptCost
	if a.legacy != 0 && (a.legacy < password.MinBcryptCost || a.legacy > password.MaxBcryptCost) {
		fe.add("legacy_bcrypt_cost", "range", "must be 0 (no bcrypt hashes) or %d to %d", password.MinBcryptCost, password.MaxBcryptCost)
		a.legacy = 0
	}
	a.ssoOnly = o.SSOOnly
	if a.ssoOnly && a.legacy != 0 {
		fe.add("legacy_bcrypt_cost", "sso_only", "must be 0 when passwords are off (SSOOnly)")
	}
	a.floor = password.Work{Argon: password.Params(a.params).Work()}
	if a.legacy > 0 {
		a.floor.Bcrypt = 1 << a.legacy
	}
	d := o.MaxConcurrentDecodes
	if d == 0 {
		d = runtime.GOMAXPROCS(0)
	}
	if d < 0 {
		fe.add("max_concurrent_decodes", "min", "must not be negative")
	}
	a.avatars = avatar.NewPool(d)
	a.policy, a.gen = o.Policy, o.Generator
	return fe.err("account options")
}

// hash hashes pw at the current parameters in the pool.
func (a *accounts) hash(ctx context.Context, pw string) (string, error) {
	return a.pool.Hash(ctx, pw, password.Params(a.params))
}

// acceptHash reports whether stored is a hash this installation verifies:
// an Argon2id PHC string with parameters in range (any, since they are
// re-made at the next sign-in), or a bcrypt hash at most
// LegacyBcryptCost. It does no hashing work. Importers call it before
// storing a hash they did not make. Errors wrap password.ErrMalformed.
func (a *accounts) acceptHash(stored string) (password.Hash, error) {
	h, err := password.ParseHash(stored)
	if err != nil {
		return h, err
	}
	if h.Scheme == password.Bcrypt && h.Cost > a.legacy {
		if a.legacy == 0 {
			return h, fmt.Errorf("bcrypt hashes are not accepted (AccountOptions.LegacyBcryptCost is 0): %w", password.ErrMalformed)
		}
		return h, fmt.Errorf("bcrypt cost %d is above AccountOptions.LegacyBcryptCost %d: %w", h.Cost, a.legacy, password.ErrMalformed)
	}
	return h, nil
}

// verify checks pw against a stored hash in the pool. A wrong password
// is padded up to the floor, unit by unit (see password.Pool.PadTo), so
// that every failed sign-in does the work of one evaluation at the
// current parameters plus, with LegacyBcryptCost set, one bcrypt at that
// cost (what an unknown login costs, see dummy), whatever the account's
// stored scheme and parameters. Errors: ctx's, or one wrapping
// password.ErrMalformed for a hash acceptHash refuses (then dummy work
// was done).
func (a *accounts) verify(ctx context.Context, pw, hash string) (bool, error) {
	h, err := a.acceptHash(hash)
	if err != nil {
		if werr := a.dummy(ctx); werr != nil {
			return false, werr
		}
		return false, err
	}
	ok, _, err := a.pool.Verify(ctx, pw, hash)
	if err != nil || ok {
		return ok, err
	}
	return false, a.pool.PadTo(ctx, h.Work(), a.floor, password.Params(a.params))
}

// dummy does the work of a failed verification (the floor), for a
// sign-in with no hash to verify (unknown login, no password set, input
// refused), so that it costs what a wrong password does. Its only error
// is ctx's.
func (a *accounts) dummy(ctx context.Context) error {
	return a.pool.PadTo(ctx, password.Work{}, a.floor, password.Params(a.params))
}

// passwordEvent is what the change log records of a password change: the
// kind of event, never the password or its hash.
type passwordEvent struct {
	Event string `json:"event"` // "set", "change", "reset", "rehash"
}

// passwordStore returns the store's password methods for op, or
// ErrPasswordsDisabled under SSOOnly: every password call asks it first.
func (s *Service) passwordStore(op string) (PasswordStore, error) {
	if s.acct.ssoOnly {
		return nil, fmt.Errorf("%s: %w", op, ErrPasswordsDisabled)
	}
	ps, ok := s.store.(PasswordStore)
	if !ok {
		return nil, fmt.Errorf("%s: store %T keeps no passwords: %w", op, s.store, errors.ErrUnsupported)
	}
	return ps, nil
}

// Authenticate signs a staff member in by login (case-insensitive) and
// password and returns them, with departments and flags from this
// instance's decisions. A hash made with other HashParams, or a legacy
// bcrypt hash (see AccountOptions.LegacyBcryptCost), is re-made with
// Argon2id at the current HashParams (failing that is logged, not
// returned).
//
// Errors: ErrBadCredentials for an unknown login, an account without a
// password, an unreadable stored hash and a wrong password alike, each
// after the same work: one Argon2id evaluation at the current HashParams,
// plus bcrypt work at LegacyBcryptCost when that is set (an unknown
// login's against a dummy input; a hash made with cheaper parameters or
// a cheaper bcrypt cost is padded with the difference in each unit), so
// the answer's timing does not tell which logins exist, nor which hold a
// legacy hash; ErrAccountDisabled for a disabled account,
// only when the password is correct; ctx's error when it ends first
// (the evaluations share the Service's pool, see
// AccountOptions.MaxConcurrentHashes); ErrPasswordsDisabled under
// AccountOptions.SSOOnly, at once.
//
// Authenticate is AuthenticateFrom without a source address: an account
// that a network allow-list applies to cannot sign in through it.
func (s *Service) Authenticate(ctx context.Context, login, pw string) (Staff, error) {
	return s.AuthenticateFrom(ctx, login, pw, netip.Addr{})
}

// AuthenticateFrom is Authenticate for a sign-in from source address
// from (the client's address as the application determined it: see
// docs/allowlists.md on proxies), which the sign-in throttling counts and
// the network allow-lists check.
//
// Besides Authenticate's errors: ErrSignInThrottled (before any hashing,
// the login or address waits out a back-off or lock; see
// ThrottleOptions), ErrAddressNotAllowed (after a correct password) and
// ErrSecondFactorRequired: the password was right and the account needs
// a second factor, the error is a *SecondFactorError whose challenge
// AuthenticateSecondFactor takes with the code.
func (s *Service) AuthenticateFrom(ctx context.Context, login, pw string, from netip.Addr) (Staff, error) {
	if s.tel == nil {
		return s.authenticateFrom(ctx, login, pw, from)
	}
	ctx, done := s.tel.signIn(ctx, "password")
	st, err := s.authenticateFrom(ctx, login, pw, from)
	done(err)
	return st, err
}

func (s *Service) authenticateFrom(ctx context.Context, login, pw string, from netip.Addr) (Staff, error) {
	const op = "authenticate"
	ps, err := s.passwordStore(op)
	if err != nil {
		return Staff{}, err
	}
	var fe fieldErrors
	login = normalizeLogin(&fe, login)
	if len(fe) > 0 {
		login = ""
	}
	counted, err := s.throttled(ctx, login, from)
	if err != nil {
		return Staff{}, fmt.Errorf("%s: %w", op, err)
	}
	bad := func() (Staff, error) {
		s.throttleFailed(ctx, login, from)
		return Staff{}, fmt.Errorf("%s: %w", op, ErrBadCredentials)
	}
	if len(fe) > 0 || len(pw) > maxPasswordMaxBytes {
		if err := s.acct.dummy(ctx); err != nil {
			return Staff{}, fmt.Errorf("%s: %w", op, err)
		}
		return bad()
	}
	id, hash, err := ps.PasswordHash(ctx, login)
	if errors.Is(err, ErrNotFound) || err == nil && hash == "" {
		if err := s.acct.dummy(ctx); err != nil {
			return Staff{}, fmt.Errorf("%s: %w", op, err)
		}
		return bad()
	}
	if err != nil {
		return Staff{}, fmt.Errorf("%s: %w", op, err)
	}
	ok, err := s.acct.verify(ctx, pw, hash)
	if errors.Is(err, password.ErrMalformed) {
		s.log.Warn("billingrbac: stored password hash is unreadable", "staff", id, "err", err)
		return bad()
	}
	if err != nil {
		return Staff{}, fmt.Errorf("%s: %w", op, err)
	}
	if !ok {
		return bad()
	}
	st, err := s.StaffMember(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return bad() // deleted meanwhile
	}
	if err != nil {
		return Staff{}, fmt.Errorf("%s: %w", op, err)
	}
	if st.Status == StatusDisabled {
		return Staff{}, fmt.Errorf("%s: %w", op, ErrAccountDisabled)
	}
	if NeedsRehash(hash, s.acct.params) {
		if err := s.setPasswordHash(ctx, id, id, hash, pw, "rehash"); err != nil {
			s.log.Warn("billingrbac: upgrading a password hash failed", "staff", id, "err", err)
		}
	}
	return s.signedIn(ctx, op, st, login, from, counted)
}

// setPasswordHash hashes password and stores it for id if the stored hash
// is still old (compare-and-set, when the store's Tx can read hashes).
// For a rehash, a changed hash means there is nothing to do; otherwise it
// is ErrConflict.
func (s *Service) setPasswordHash(ctx context.Context, actor, id StaffID, old, pw, event string) error {
	hash, err := s.acct.hash(ctx, pw)
	if err != nil {
		return err
	}
	_, err = s.write(ctx, func(w *txn) error {
		if at, ok := w.raw.(AccountTx); ok {
			cur, err := at.PasswordHashOf(id)
			if err != nil {
				return err
			}
			if cur != old {
				if event == "rehash" {
					return errNoChange
				}
				return fmt.Errorf("the password was changed meanwhile: %w", ErrConflict)
			}
		} else if event == "rehash" {
			return errNoChange // cannot tell whether it changed meanwhile
		}
		if err := w.tx.SetPasswordHash(id, hash); err != nil {
			return err
		}
		w.record(actor, OpStaffPassword, StaffSubject(id).String(), nil, passwordEvent{event})
		return nil
	})
	return err
}

// ChangePassword changes staff member id's own password: the current one
// is required, the new one must satisfy the password policy and differ.
// The new password is checked first, so a refused one costs no hashing.
// Errors: ErrNotFound, ErrInvalid (field new_password: the policy's rules,
// or "reuse"), ErrBadCredentials (the current password is wrong or none is
// set), ErrAccountDisabled (after a correct current password), ErrConflict
// (the password was changed meanwhile), ErrPasswordsDisabled (SSOOnly).
func (s *Service) ChangePassword(ctx context.Context, id StaffID, current, next string) error {
	const op = "change password"
	ps, err := s.passwordStore(op)
	if err != nil {
		return err
	}
	st, err := s.StaffMember(ctx, id)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	// The new password's rules first: a refused one costs no Argon2id.
	var fe fieldErrors
	s.acct.policy.check(&fe, "new_password", next, st)
	if next == current {
		fe.add("new_password", "reuse", "must differ from the current password")
	}
	if err := fe.err(op); err != nil {
		return err
	}
	_, hash, err := ps.PasswordHash(ctx, st.Login)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if hash == "" || len(current) > maxPasswordMaxBytes {
		if err := s.acct.dummy(ctx); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		return fmt.Errorf("%s: %w", op, ErrBadCredentials)
	}
	ok, err := s.acct.verify(ctx, current, hash)
	if err != nil && !errors.Is(err, password.ErrMalformed) {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err != nil || !ok {
		return fmt.Errorf("%s: %w", op, ErrBadCredentials)
	}
	if st.Status == StatusDisabled {
		return fmt.Errorf("%s: %w", op, ErrAccountDisabled)
	}
	if err := s.setPasswordHash(ctx, id, id, hash, next, "change"); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// ResetPassword gives staff member id a new generated password and returns
// it: this is the only time it exists outside the hash. The actor needs
// staff:edit, may not reset their own (ChangePassword is for that) and,
// since whoever knows the password can act as the account, must hold every
// permission the account holds, whatever its status (full access for a
// full-access account's). Errors:
// ErrNotFound, ErrPermissionDenied, ErrPasswordsDisabled (SSOOnly, before
// anything else).
func (s *Service) ResetPassword(ctx context.Context, actor, id StaffID) (string, error) {
	const op = "reset password"
	if _, err := s.passwordStore(op); err != nil {
		return "", err
	}
	// Refuse cheaply before generating and hashing: the actor must be able
	// to take control of the account at all (see precheck).
	if err := s.precheck(ctx, op, actor, Perm(FuncStaff, ActEdit), id); err != nil {
		return "", err
	}
	if actor == id {
		return "", denied(op, actor, DenialSelfChange, "staff members change their own password with ChangePassword")
	}
	st, err := s.store.StaffMember(ctx, id)
	if err != nil {
		return "", fmt.Errorf("%s: staff %s: %w", op, id, err)
	}
	pw, err := s.acct.policy.Generate(s.acct.gen, st)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	hash, err := s.acct.hash(ctx, pw)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	_, err = s.write(ctx, func(w *txn) error {
		if err := w.authorize(op, actor, Perm(FuncStaff, ActEdit)); err != nil {
			return err
		}
		if actor == id {
			return denied(op, actor, DenialSelfChange, "staff members change their own password with ChangePassword")
		}
		if _, err := w.tx.StaffMember(id); err != nil {
			return fmt.Errorf("%s: staff %s: %w", op, id, err)
		}
		if err := w.tx.SetPasswordHash(id, hash); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		w.record(actor, OpStaffPassword, StaffSubject(id).String(), nil, passwordEvent{"reset"})
		return nil
	})
	if err != nil {
		return "", err
	}
	return pw, nil
}
