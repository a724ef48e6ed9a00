package rbac

import (
	"time"

	"golang.org/x/text/language"
)

// Status is whether a staff member or department is active.
type Status uint8

// Statuses. The zero value is StatusActive.
const (
	StatusActive Status = iota
	StatusDisabled
)

// String returns "active" or "disabled".
func (s Status) String() string {
	if s == StatusDisabled {
		return "disabled"
	}
	return "active"
}

const maxNameRunes = 128

// Department is a group of staff members holding permissions: a Casbin
// role. Its members get every permission it holds, inherited.
type Department struct {
	ID   DepartmentID
	Name LocalizedText // shown to staff and, in the support center, to clients
	// AcceptsClientRequests: clients may send requests (tickets) to it.
	AcceptsClientRequests bool
	// TaskLanguage is the language of the tasks generated for it.
	TaskLanguage language.Tag
	SortOrder    int
	Status       Status // a disabled department grants nothing

	CreatedAt time.Time
	UpdatedAt time.Time
}

// NewDepartment is the input for creating a department. A new department
// has no permissions unless Permissions names some.
type NewDepartment struct {
	Name                  LocalizedText
	AcceptsClientRequests bool
	TaskLanguage          language.Tag // und: the service's default language
	SortOrder             int
	// Permissions are given to the new department in the same change, so
	// it never exists half set up. Empty: it starts with nothing, as the
	// product's new departments do. The actor must hold every one.
	Permissions []Permission
}

// Validate reports every bad field at once (an error wrapping ErrInvalid).
// Permissions are checked against the Service's catalog by CreateDepartment.
func (in *NewDepartment) Validate() error {
	var fe fieldErrors
	in.Name = in.Name.normalized(&fe, "name", maxNameRunes)
	return fe.err("create department")
}

// DepartmentUpdate changes some fields of a department; nil fields are left
// as they are.
type DepartmentUpdate struct {
	Name                  LocalizedText // nil: unchanged; otherwise replaces every language
	AcceptsClientRequests *bool
	TaskLanguage          *language.Tag
	SortOrder             *int
	Status                *Status
}

// Validate reports every bad field at once (an error wrapping ErrInvalid).
func (in *DepartmentUpdate) Validate() error {
	var fe fieldErrors
	if in.Name != nil {
		in.Name = in.Name.normalized(&fe, "name", maxNameRunes)
	}
	if in.TaskLanguage != nil && *in.TaskLanguage == language.Und {
		fe.add("task_language", "language", "must be a valid BCP 47 tag")
	}
	if in.Status != nil && *in.Status > StatusDisabled {
		fe.add("status", "enum", "must be active or disabled")
	}
	return fe.err("update department")
}
