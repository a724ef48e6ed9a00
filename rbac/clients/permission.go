package clients

import (
	"fmt"
	"strings"

	"github.com/billingrbac/billingrbac/internal/name"
)

// Section is a part of the client area a role switches on or off, such as
// "services" or "finance". Names follow rbac's function names: a lower-case
// letter, then up to 31 letters, digits, '_' or '-'.
type Section string

// Action is what a client user does in a section. Client roles toggle
// exactly these four per section.
type Action uint8

// Actions.
const (
	View Action = iota + 1
	Add
	Modify
	Delete
)

// Actions returns the four actions in display order.
func Actions() []Action { return []Action{View, Add, Modify, Delete} }

var actionNames = [...]string{View: "view", Add: "add", Modify: "modify", Delete: "delete"}

// String returns "view", "add", "modify" or "delete".
func (a Action) String() string {
	if a >= View && a <= Delete {
		return actionNames[a]
	}
	return fmt.Sprintf("action(%d)", uint8(a))
}

// Valid reports whether a is one of the four actions.
func (a Action) Valid() bool { return a >= View && a <= Delete }

// ParseAction parses "view", "add", "modify" or "delete". Errors wrap
// rbac.ErrInvalid.
func ParseAction(s string) (Action, error) {
	for _, a := range Actions() {
		if actionNames[a] == s {
			return a, nil
		}
	}
	var fe fieldErrors
	fe.add("action", "enum", "must be view, add, modify or delete, got %q", s)
	return 0, fe.err("parse client action")
}

// String returns the section name.
func (s Section) String() string { return string(s) }

// ParseSection checks the syntax of a section name. It does not consult a
// catalog. Errors wrap rbac.ErrInvalid.
func ParseSection(s string) (Section, error) {
	if rule, msg := validName(s); rule != "" {
		var fe fieldErrors
		fe.add("section", rule, "%s", msg)
		return "", fe.err("parse section")
	}
	return Section(s), nil
}

// Permission is the right to perform an action in a section of the client
// area. It is what a role holds.
type Permission struct {
	Section Section
	Action  Action
}

// Perm is shorthand for Permission{Section: s, Action: a}.
func Perm(s Section, a Action) Permission { return Permission{Section: s, Action: a} }

// String returns "section:action".
func (p Permission) String() string { return string(p.Section) + ":" + p.Action.String() }

// ParsePermission parses "section:action". It checks syntax only. Errors
// wrap rbac.ErrInvalid and name every bad part.
func ParsePermission(s string) (Permission, error) {
	sec, act, ok := strings.Cut(s, ":")
	var fe fieldErrors
	if !ok {
		fe.add("permission", "format", "want section:action, got %q", s)
		return Permission{}, fe.err("parse client permission")
	}
	if rule, msg := validName(sec); rule != "" {
		fe.add("section", rule, "%s", msg)
	}
	a, err := ParseAction(act)
	if err != nil {
		fe.add("action", "enum", "must be view, add, modify or delete, got %q", act)
	}
	if err := fe.err("parse client permission"); err != nil {
		return Permission{}, err
	}
	return Permission{Section: Section(sec), Action: a}, nil
}

// validName reports why s is not a valid section or kind name, or "".
func validName(s string) (rule, msg string) { return name.Check(s) }
