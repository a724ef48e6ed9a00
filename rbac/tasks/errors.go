package tasks

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
)

// Errors of this package. Besides them, methods return rbac's sentinels
// (rbac.ErrInvalid, rbac.ErrNotFound, rbac.ErrConflict,
// rbac.ErrPermissionDenied); check every one with errors.Is.
var (
	// ErrNoDepartment is returned by Generate when no candidate department
	// (explicit, routing rules, default) exists and is active. The error is
	// a *RouteError listing why each candidate was skipped.
	ErrNoDepartment = errors.New("no active department to route the task to")
)

// fieldErrors accumulates rbac.FieldErrors; err returns nil when none were
// added, otherwise an *rbac.ValidationError (rbac.ErrInvalid).
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

// RouteError explains why a task could not be routed. It unwraps to
// ErrNoDepartment.
type RouteError struct {
	Skipped []Skip
}

func (e *RouteError) Error() string {
	parts := make([]string, len(e.Skipped))
	for i, s := range e.Skipped {
		parts[i] = s.String()
	}
	msg := "generate task: " + ErrNoDepartment.Error()
	if len(parts) > 0 {
		msg += ": " + strings.Join(parts, "; ")
	}
	return msg
}

// Unwrap makes errors.Is(err, ErrNoDepartment) true.
func (e *RouteError) Unwrap() error { return ErrNoDepartment }

// Missing reports a translation that was not found where it was wanted:
// the text was rendered from a fallback language instead.
type Missing struct {
	Key    Key          // the message, or the operation name when Key.Kind is ""
	Wanted language.Tag // the language asked for (after matching)
	Used   language.Tag // the language used instead
	Reason string       // "no catalog", "no message", "needs argument x"
}

func (m Missing) String() string {
	return fmt.Sprintf("%s: %s missing in %s (%s), rendered in %s", m.Key, m.what(), m.Wanted, m.Reason, m.Used)
}

func (m Missing) what() string {
	if m.Key.Kind == "" {
		return "operation name"
	}
	return "message"
}
