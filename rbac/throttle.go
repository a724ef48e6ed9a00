package rbac

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Operations of sign-in throttling in the change log.
const (
	// OpSignInLock records that a login or a source address reached its
	// failure limit and is locked (actor: SystemActor).
	OpSignInLock Operation = "signin.lock"
	// OpSignInUnlock records an administrator clearing a login's lock.
	OpSignInUnlock Operation = "signin.unlock"
)

// ErrSignInThrottled is returned by Authenticate and
// AuthenticateSecondFactor while a login or source address waits out its
// back-off or lock, before any password is hashed. The error is a
// *ThrottledError saying until when.
var ErrSignInThrottled = errors.New("too many failed sign-ins")

// ThrottledError is a refused sign-in attempt during a back-off or lock.
// It unwraps to ErrSignInThrottled.
type ThrottledError struct {
	Key    ThrottleKey // the login or address counted
	Until  time.Time   // the next attempt is considered from then on
	Locked bool        // the failure limit was reached (not just back-off)
}

func (e *ThrottledError) Error() string {
	what := "back-off"
	if e.Locked {
		what = "locked"
	}
	return fmt.Sprintf("%v: %s %s until %s", ErrSignInThrottled, e.Key, what, e.Until.Format(time.RFC3339))
}

func (e *ThrottledError) Unwrap() error { return ErrSignInThrottled }

// ThrottleOptions configures the counting of failed sign-ins. Failures
// are counted in the database per login (whether it exists or not, so a
// refusal tells nothing about which logins exist) and per source address
// (an IPv4 address, or the /64 of an IPv6 one), and seen by every
// instance. From the BackoffAfter-th consecutive failure of a key on,
// the next attempt is refused, before any hashing, until BaseDelay
// (doubled for each further failure) has passed; after MaxFailures the
// key is locked for LockDuration and the lock is written to the change
// log. A successful sign-in clears its login's
// count (not its address's); ClearSignInLock clears a login's.
type ThrottleOptions struct {
	// Off turns throttling off (the application throttles itself).
	Off bool
	// MaxFailures locks a login after this many consecutive failures.
	// Zero means 10.
	MaxFailures int
	// MaxAddressFailures locks a source address after this many failures
	// of any logins. Zero means 100.
	MaxAddressFailures int
	// BackoffAfter is the failure count from which attempts wait: the
	// failures before it are a user's typos, answered at once. Zero
	// means 5; 1 makes every failure wait.
	BackoffAfter int
	// BaseDelay is the back-off after the BackoffAfter-th failure,
	// doubled after each further one. Zero means one second.
	BaseDelay time.Duration
	// LockDuration is how long a lock lasts, and how long a failure is
	// remembered: a failure after a quiet LockDuration counts from one
	// again. Zero means 15 minutes.
	LockDuration time.Duration
}

func (o ThrottleOptions) resolve(fe *fieldErrors) ThrottleOptions {
	def := func(field string, v *int, d int) {
		if *v == 0 {
			*v = d
		}
		if *v < 0 {
			fe.add("sign_in.throttle."+field, "min", "must not be negative")
		}
	}
	def("max_failures", &o.MaxFailures, 10)
	def("max_address_failures", &o.MaxAddressFailures, 100)
	def("backoff_after", &o.BackoffAfter, 5)
	if o.BaseDelay == 0 {
		o.BaseDelay = time.Second
	}
	if o.LockDuration == 0 {
		o.LockDuration = 15 * time.Minute
	}
	if o.BaseDelay < 0 || o.LockDuration < 0 {
		fe.add("sign_in.throttle.delay", "min", "BaseDelay and LockDuration must not be negative")
	}
	return o
}

// ThrottleKey names what failures are counted for: "login:" and a login,
// or "addr:" and an address or IPv6 /64.
type ThrottleKey string

func loginKey(login string) ThrottleKey { return ThrottleKey("login:" + login) }

func addrKey(a netip.Addr) ThrottleKey {
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return ThrottleKey("addr:" + p.String())
	}
	return ThrottleKey("addr:" + a.String())
}

// SignInFailures is the stored count of a key's consecutive failures and
// the time of the last one.
type SignInFailures struct {
	Key   ThrottleKey
	Count int
	Last  time.Time
}

// ThrottleStore is implemented by stores that count failed sign-ins, as
// package store does. Its writes are single atomic statements outside
// the change flow's lock.
type ThrottleStore interface {
	// SignInFailures returns the counts of keys (those never counted are
	// left out).
	SignInFailures(ctx context.Context, keys ...ThrottleKey) ([]SignInFailures, error)
	// RecordSignInFailure counts one failure of key at at, starting from
	// one when the last one is older than at-window, and returns the new
	// count.
	RecordSignInFailure(ctx context.Context, key ThrottleKey, at time.Time, window time.Duration) (SignInFailures, error)
	// ResetSignInFailures forgets key's failures.
	ResetSignInFailures(ctx context.Context, key ThrottleKey) error
}

// ThrottleTx is implemented by the Tx of stores that count failed
// sign-ins, so that clearing a lock commits with its change-log entry.
type ThrottleTx interface {
	ResetSignInFailures(key ThrottleKey) error
}

func (s *Service) throttleStore() ThrottleStore {
	if s.sec.throttle.Off {
		return nil
	}
	ts, _ := s.store.(ThrottleStore)
	return ts
}

// limit returns the failure limit of key.
func (o ThrottleOptions) limit(k ThrottleKey) int {
	if len(k) > 5 && k[:5] == "addr:" {
		return o.MaxAddressFailures
	}
	return o.MaxFailures
}

// until returns when f's key may try again and whether it is locked.
func (o ThrottleOptions) until(f SignInFailures) (time.Time, bool) {
	if f.Count >= o.limit(f.Key) {
		return f.Last.Add(o.LockDuration), true
	}
	if f.Count < o.BackoffAfter {
		return time.Time{}, false
	}
	d := o.BaseDelay
	for i := o.BackoffAfter; i < f.Count && d < o.LockDuration; i++ {
		d *= 2
	}
	return f.Last.Add(min(d, o.LockDuration)), false
}

// counted says whether the login had failures counted when its attempt
// began: only then does a success write their reset.
type counted bool

// throttled refuses an attempt of login (may be "") from from (may be
// invalid) while either waits. A store error is returned: sign-in fails
// closed.
func (s *Service) throttled(ctx context.Context, login string, from netip.Addr) (counted, error) {
	ts := s.throttleStore()
	if ts == nil {
		return false, nil
	}
	var keys []ThrottleKey
	if login != "" {
		keys = append(keys, loginKey(login))
	}
	if from.IsValid() {
		keys = append(keys, addrKey(from))
	}
	if len(keys) == 0 {
		return false, nil
	}
	fs, err := ts.SignInFailures(ctx, keys...)
	if err != nil {
		return false, err
	}
	now := s.now()
	var c counted
	for _, f := range fs {
		if until, locked := s.sec.throttle.until(f); now.Before(until) {
			return false, &ThrottledError{Key: f.Key, Until: until.UTC(), Locked: locked}
		}
		c = c || f.Key == loginKey(login)
	}
	return c, nil
}

// throttleFailed counts a failed attempt; a key reaching its limit is
// written to the change log as locked. Failing to count is logged: the
// refusal the caller returns stands either way.
func (s *Service) throttleFailed(ctx context.Context, login string, from netip.Addr) {
	ts := s.throttleStore()
	if ts == nil {
		return
	}
	var keys []ThrottleKey
	if login != "" {
		keys = append(keys, loginKey(login))
	}
	if from.IsValid() {
		keys = append(keys, addrKey(from))
	}
	o := s.sec.throttle
	for _, k := range keys {
		f, err := ts.RecordSignInFailure(ctx, k, s.now(), o.LockDuration)
		if err != nil {
			s.log.Warn("billingrbac: counting a failed sign-in failed", "key", string(k), "err", err)
			continue
		}
		if f.Count != o.limit(k) {
			continue
		}
		until, _ := o.until(f)
		_, err = s.write(ctx, func(w *txn) error {
			w.record(SystemActor, OpSignInLock, string(k), nil, lockEvent{Failures: f.Count, Until: until.UTC()})
			return nil
		})
		if err != nil {
			s.log.Warn("billingrbac: recording a sign-in lock failed", "key", string(k), "err", err)
		}
	}
}

// lockEvent is what the change log records of a lock.
type lockEvent struct {
	Failures int       `json:"failures,omitempty"`
	Until    time.Time `json:"until,omitzero"`
}

// throttleSucceeded clears the login's count after a successful sign-in
// (a write only when failures were counted: c).
func (s *Service) throttleSucceeded(ctx context.Context, login string, c counted) {
	ts := s.throttleStore()
	if ts == nil || login == "" || !c {
		return
	}
	if err := ts.ResetSignInFailures(ctx, loginKey(login)); err != nil {
		s.log.Warn("billingrbac: resetting failed sign-ins failed", "login", login, "err", err)
	}
}

// ClearSignInLock forgets the failed sign-ins of staff member id's login,
// ending its back-off or lock, and records it in the change log. Since
// it lets whoever has the password try again, it is authorized like
// ResetPassword: staff:edit, not one's own, and control of the account
// (every permission it holds; full access for a full-access account's).
// Errors: ErrNotFound, ErrPermissionDenied.
func (s *Service) ClearSignInLock(ctx context.Context, actor, id StaffID) error {
	const op = "clear sign-in lock"
	need := Perm(FuncStaff, ActEdit)
	if err := s.precheck(ctx, op, actor, need, id); err != nil {
		return err
	}
	if actor == id {
		return denied(op, actor, DenialSelfChange, "staff members cannot clear their own sign-in lock")
	}
	_, err := s.write(ctx, func(w *txn) error {
		if err := w.authorize(op, actor, need); err != nil {
			return err
		}
		tt, ok := w.raw.(ThrottleTx)
		if !ok {
			return fmt.Errorf("%s: store keeps no sign-in failures: %w", op, errors.ErrUnsupported)
		}
		st, err := w.tx.StaffMember(id)
		if err != nil {
			return fmt.Errorf("%s: staff %s: %w", op, id, err)
		}
		w.wrote(id, true) // its sign-in works again: control
		if err := tt.ResetSignInFailures(loginKey(st.Login)); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		w.record(actor, OpSignInUnlock, StaffSubject(id).String(), nil, lockEvent{})
		return nil
	})
	return err
}

// SignInThrottle returns the failure count of login (lower case) and
// until when it waits (zero when it may sign in now).
func (s *Service) SignInThrottle(ctx context.Context, login string) (SignInFailures, time.Time, error) {
	ts := s.throttleStore()
	if ts == nil {
		return SignInFailures{}, time.Time{}, nil
	}
	fs, err := ts.SignInFailures(ctx, loginKey(login))
	if err != nil || len(fs) == 0 {
		return SignInFailures{}, time.Time{}, err
	}
	until, _ := s.sec.throttle.until(fs[0])
	if !s.now().Before(until) {
		until = time.Time{}
	}
	return fs[0], until, nil
}
