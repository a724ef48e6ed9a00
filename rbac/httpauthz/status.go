package httpauthz

import (
	"context"
	"errors"
	"net/http"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
	"github.com/billingrbac/billingrbac/rbac/hours"
	"github.com/billingrbac/billingrbac/rbac/tasks"
)

// A mapping is one row of the sentinel table: the first row whose error
// matches (errors.Is) decides the status and the problem code.
type mapping struct {
	err    error
	status int
	code   string
	// public: the error's text is safe to show the caller (it describes
	// the caller's own input or a state it may know of).
	public bool
}

// statusTable maps every sentinel of the library's packages to one HTTP
// status and problem code. Order matters where one error matches several
// sentinels: ErrLastFullAccess also matches ErrPermissionDenied, and a
// duplicate login matches both ErrConflict and ErrInvalid.
var statusTable = []mapping{
	{ErrNoIdentity, http.StatusUnauthorized, "unauthenticated", false},
	{rbac.ErrBadCredentials, http.StatusUnauthorized, "bad-credentials", false},
	{rbac.ErrSecondFactorRequired, http.StatusUnauthorized, "second-factor-required", false},
	{rbac.ErrBadSecondFactor, http.StatusUnauthorized, "bad-second-factor", false},
	{rbac.ErrChallengeExpired, http.StatusUnauthorized, "challenge-expired", false},
	{rbac.ErrSignInThrottled, http.StatusTooManyRequests, "sign-in-throttled", true},
	{rbac.ErrAddressNotAllowed, http.StatusForbidden, "address-not-allowed", false},
	{ErrNoAddress, http.StatusBadRequest, "no-address", true},
	{rbac.ErrLastFullAccess, http.StatusConflict, "last-full-access", true},
	{rbac.ErrAccountDisabled, http.StatusForbidden, "account-disabled", false},
	{rbac.ErrPasswordsDisabled, http.StatusForbidden, "passwords-disabled", true},
	{rbac.ErrPermissionDenied, http.StatusForbidden, "permission-denied", false},
	{clients.ErrCrossClient, http.StatusForbidden, "cross-client", false},
	{rbac.ErrConflictOfDuties, http.StatusConflict, "conflict-of-duties", true},
	{rbac.ErrConflict, http.StatusConflict, "conflict", true},
	{rbac.ErrInheritedPermission, http.StatusConflict, "inherited-permission", true},
	{clients.ErrFirstUser, http.StatusConflict, "first-user", true},
	{rbac.ErrInvalid, http.StatusBadRequest, "invalid", true},
	{hours.ErrInvalid, http.StatusBadRequest, "invalid", true},
	{rbac.ErrNotFound, http.StatusNotFound, "not-found", true},
	{tasks.ErrNoDepartment, http.StatusUnprocessableEntity, "no-department", true},
	{hours.ErrNeverOpen, http.StatusUnprocessableEntity, "never-open", true},
	{hours.ErrAlwaysOpen, http.StatusUnprocessableEntity, "always-open", true},
	{hours.ErrOutOfRange, http.StatusUnprocessableEntity, "out-of-range", true},
	{rbac.ErrClosed, http.StatusServiceUnavailable, "unavailable", false},
	// A Store's answers to the Service's optimistic writes, which the
	// Service acts on itself; they reach a caller only from a Store that
	// breaks rbac.OptimisticStore's contract. Retrying is right for both.
	{rbac.ErrHeadMoved, http.StatusConflict, "head-moved", false},
	{rbac.ErrNeedsLock, http.StatusServiceUnavailable, "needs-lock", false},
	{context.DeadlineExceeded, http.StatusGatewayTimeout, "timeout", false},
	{context.Canceled, http.StatusServiceUnavailable, "canceled", false},
}

// Status returns the HTTP status and the problem code (the last segment of
// the problem's type URI, and its "code" member) for err: the one mapping
// of the library's sentinel errors to HTTP, for the application's own
// handlers as for the Guard. An error matching no sentinel is 500
// "internal-error"; nil is 200 "".
func Status(err error) (status int, code string) {
	m, ok := lookup(err)
	if !ok {
		if err == nil {
			return http.StatusOK, ""
		}
		return http.StatusInternalServerError, "internal-error"
	}
	return m.status, m.code
}

func lookup(err error) (mapping, bool) {
	if err == nil {
		return mapping{}, false
	}
	for _, m := range statusTable {
		if errors.Is(err, m.err) {
			return m, true
		}
	}
	return mapping{}, false
}
