package clients

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/billingrbac/billingrbac/rbac"
)

// Errors. Besides these, the package returns rbac's sentinels
// (rbac.ErrInvalid, rbac.ErrNotFound, rbac.ErrConflict,
// rbac.ErrPermissionDenied, rbac.ErrClosed); check with errors.Is.
var (
	// ErrFirstUser is returned when a change would delete a client's first
	// user, restrict it (roles, status) or, for a client-side actor, change
	// its name or e-mail. It also matches rbac.ErrPermissionDenied.
	ErrFirstUser = errors.New("the client's first user is protected")

	// ErrCrossClient is returned when a change mixes two client accounts:
	// a role of one client given to a user of another, or a client user
	// administering another client. It also matches
	// rbac.ErrPermissionDenied.
	ErrCrossClient = errors.New("belongs to another client")
)

// DeniedError explains a refused administrative change. It unwraps to
// rbac.ErrPermissionDenied and, where it applies, to ErrFirstUser or
// ErrCrossClient.
type DeniedError struct {
	Op     string // the refused operation
	Actor  Actor  // who asked
	Reason string // why, in words
	// Missing is the staff permission a staff actor lacks, when that is
	// the reason: the operation's (clients:edit), or the staff counterpart
	// of Right (Service.StaffCounterparts).
	Missing rbac.Permission
	// Right is the client right the change would have given Target (or
	// given or taken on a role), or one the client user it would have
	// given control of holds, that the actor does not hold or dominate.
	Right Permission
	// Target is the client user the refusal is about (0 when it is about
	// the actor alone or a role).
	Target ClientUserID
	// Control is set when the refusal is about control of Target: the
	// change would have set its sign-in.
	Control bool
	// FirstUser is set when only the provider's staff may make the change
	// (it writes a client's first user or the account itself).
	FirstUser bool
	also      error
	code      rbac.DenialCode // set where the fields do not say it (see Code)
}

// Denial codes of the client domain, beside rbac's (DeniedError.Code).
const (
	// DenialCrossClient: the change mixes two client accounts
	// (ErrCrossClient).
	DenialCrossClient rbac.DenialCode = "cross_client"
	// DenialFirstUser: the change would delete or restrict a client's
	// first user, or change it or the account from the client side
	// (ErrFirstUser).
	DenialFirstUser rbac.DenialCode = "first_user"
	// DenialStaffOnly: the operation is the provider's staff's (client
	// accounts are created and changed by staff).
	DenialStaffOnly rbac.DenialCode = "staff_only"
	// DenialNotFirstUser: a client user other than its account's first
	// user administers nothing.
	DenialNotFirstUser rbac.DenialCode = "not_first_user"
)

// Code returns why the refusal happened, for programs: one of rbac's
// denial codes (rbac.DenialNoActor, DenialActorDisabled,
// DenialMissingPermission, DenialSelfChange, DenialWouldGive,
// DenialControl) or this package's.
func (e *DeniedError) Code() rbac.DenialCode {
	switch {
	case errors.Is(e.also, ErrCrossClient):
		return DenialCrossClient
	case e.FirstUser || errors.Is(e.also, ErrFirstUser):
		return DenialFirstUser
	case e.code != "":
		return e.code
	case e.Control:
		return rbac.DenialControl
	case e.Target != 0 && e.Target == e.Actor.User:
		return rbac.DenialSelfChange
	case e.Right != (Permission{}):
		return rbac.DenialWouldGive
	case e.Missing != (rbac.Permission{}):
		return rbac.DenialMissingPermission
	}
	return rbac.DenialNoActor
}

func (e *DeniedError) Error() string { return e.Op + ": permission denied: " + e.Reason }

// Unwrap makes errors.Is match rbac.ErrPermissionDenied and the specific
// sentinel.
func (e *DeniedError) Unwrap() []error {
	if e.also != nil {
		return []error{rbac.ErrPermissionDenied, e.also}
	}
	return []error{rbac.ErrPermissionDenied}
}

func withCode(c rbac.DenialCode, err error) error {
	err.(*DeniedError).code = c
	return err
}

func denied(op string, actor Actor, also error, format string, args ...any) error {
	return &DeniedError{Op: op, Actor: actor, Reason: fmt.Sprintf(format, args...), also: also}
}

// fieldErrors accumulates rbac.FieldErrors into an *rbac.ValidationError.
type fieldErrors []rbac.FieldError

func (fe *fieldErrors) add(field, rule, format string, args ...any) {
	*fe = append(*fe, rbac.FieldError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

func (fe fieldErrors) err(op string) error {
	if len(fe) == 0 {
		return nil
	}
	return &rbac.ValidationError{Op: op, Fields: fe}
}

func wrapf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), sentinel)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
