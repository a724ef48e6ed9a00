package hours

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors, checked with errors.Is.
var (
	// ErrInvalid is returned for a bad schedule or argument. A bad
	// schedule is reported as a *ValidationError naming every bad field.
	ErrInvalid = errors.New("invalid schedule")

	// ErrNeverOpen is returned when the schedule is not open at any
	// instant at or after the one given, so no deadline or opening exists.
	ErrNeverOpen = errors.New("schedule is never open")

	// ErrAlwaysOpen is returned by NextClose when the schedule never
	// closes after the instant given (such as the built-in 24/7 schedule).
	ErrAlwaysOpen = errors.New("schedule never closes")

	// ErrOutOfRange is returned for an instant outside [MinTime(), MaxTime())
	// or a result further than MaxSpan from the instant given.
	ErrOutOfRange = errors.New("instant out of range")
)

// FieldError is one bad field of a Schedule: which field, which rule it
// breaks and a human-readable message.
type FieldError struct {
	Field   string // e.g. "zone", "week[1][0].end", "closed[3]"
	Rule    string // e.g. "required", "zone", "order", "max_count", "duplicate"
	Message string
}

func (e FieldError) String() string {
	return e.Field + ": " + e.Message + " (" + e.Rule + ")"
}

// ValidationError lists every bad field of a Schedule at once. It unwraps
// to ErrInvalid.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.String()
	}
	return "hours: invalid schedule: " + strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Has reports whether field broke rule.
func (e *ValidationError) Has(field, rule string) bool {
	for _, f := range e.Fields {
		if f.Field == field && f.Rule == rule {
			return true
		}
	}
	return false
}

type fieldErrors []FieldError

func (fe *fieldErrors) add(field, rule, format string, args ...any) {
	*fe = append(*fe, FieldError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

func (fe fieldErrors) err() error {
	if len(fe) == 0 {
		return nil
	}
	return &ValidationError{Fields: fe}
}
