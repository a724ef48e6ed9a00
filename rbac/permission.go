package rbac

import (
	"strings"

	"github.com/billingrbac/billingrbac/internal/name"
)

// Function is a billing function: a section of the billing system such as
// "invoices" or "support". Names are lower-case ASCII: a letter, then up to
// 31 letters, digits, '_' or '-'.
type Function string

// Action is something done inside a function, such as "view" or "send".
// Names follow the same rule as functions.
type Action string

// Permission is the right to perform an action in a function.
type Permission struct {
	Function Function
	Action   Action
}

// Perm is shorthand for Permission{Function: f, Action: a}.
func Perm(f Function, a Action) Permission { return Permission{Function: f, Action: a} }

// String returns "function:action".
func (p Permission) String() string { return string(p.Function) + ":" + string(p.Action) }

// String returns the function name.
func (f Function) String() string { return string(f) }

// String returns the action name.
func (a Action) String() string { return string(a) }

// validName reports why s is not a valid function or action name, or "".
func validName(s string) (rule, msg string) { return name.Check(s) }

// ParseFunction checks the syntax of a function name. It does not consult a
// catalog; Catalog.Function does. Errors wrap ErrInvalid.
func ParseFunction(s string) (Function, error) {
	if rule, msg := validName(s); rule != "" {
		return "", &ValidationError{Op: "parse function", Fields: []FieldError{{Field: "function", Rule: rule, Message: msg}}}
	}
	return Function(s), nil
}

// ParseAction checks the syntax of an action name. Errors wrap ErrInvalid.
func ParseAction(s string) (Action, error) {
	if rule, msg := validName(s); rule != "" {
		return "", &ValidationError{Op: "parse action", Fields: []FieldError{{Field: "action", Rule: rule, Message: msg}}}
	}
	return Action(s), nil
}

// ParsePermission parses "function:action". It checks syntax only; use
// Catalog.Check to know whether the permission exists. Errors wrap
// ErrInvalid.
func ParsePermission(s string) (Permission, error) {
	f, a, ok := strings.Cut(s, ":")
	var fe fieldErrors
	if !ok {
		fe.add("permission", "format", "want function:action, got %q", s)
		return Permission{}, fe.err("parse permission")
	}
	if rule, msg := validName(f); rule != "" {
		fe.add("function", rule, "%s", msg)
	}
	if rule, msg := validName(a); rule != "" {
		fe.add("action", rule, "%s", msg)
	}
	if err := fe.err("parse permission"); err != nil {
		return Permission{}, err
	}
	return Permission{Function: Function(f), Action: Action(a)}, nil
}
