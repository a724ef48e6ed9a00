package tasks

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
)

// ID identifies a task. IDs are assigned by the store, are positive and
// grow with creation order.
type ID int64

// String returns the decimal form of the ID.
func (id ID) String() string { return strconv.FormatInt(int64(id), 10) }

// ParseID parses the decimal form of a task ID. Errors wrap
// rbac.ErrInvalid.
func ParseID(s string) (ID, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != s {
		return 0, &rbac.ValidationError{Op: "parse task id", Fields: []rbac.FieldError{
			{Field: "id", Rule: "format", Message: "want a positive decimal integer, got " + strconv.Quote(s)}}}
	}
	return ID(n), nil
}

// Status is where a task is in its life: new → in progress → done, or
// cancelled from new or in progress.
type Status uint8

// Statuses. The zero value is not a status.
const (
	StatusNew        Status = iota + 1 // waiting for a performer
	StatusInProgress                   // taken by a performer
	StatusDone                         // closed: the work is done
	StatusCancelled                    // cancelled: no work will be done
)

var statusNames = [...]string{StatusNew: "new", StatusInProgress: "in_progress", StatusDone: "done", StatusCancelled: "cancelled"}

// String returns "new", "in_progress", "done" or "cancelled" (the stored
// form).
func (s Status) String() string {
	if s >= StatusNew && s <= StatusCancelled {
		return statusNames[s]
	}
	return "status(" + strconv.Itoa(int(s)) + ")"
}

// Valid reports whether s is one of the four statuses.
func (s Status) Valid() bool { return s >= StatusNew && s <= StatusCancelled }

// ParseStatus parses the String form. Errors wrap rbac.ErrInvalid.
func ParseStatus(s string) (Status, error) {
	for i, n := range statusNames {
		if i > 0 && n == s {
			return Status(i), nil
		}
	}
	return 0, &rbac.ValidationError{Op: "parse task status", Fields: []rbac.FieldError{
		{Field: "status", Rule: "enum", Message: "must be new, in_progress, done or cancelled, got " + strconv.Quote(s)}}}
}

// Kind is the kind of a task: what its text says. The built-in kinds are
// KindManual (a manually provisioned service needs an operation done by
// hand) and KindFailed (automatic processing of an operation failed); an
// application adds its own by putting messages for them in the Catalog.
// Names follow the rule of rbac.Function: a lower-case letter, then up to
// 31 of a-z, 0-9, '_', '-' and '.'.
type Kind string

// Built-in kinds.
const (
	KindManual Kind = "manual" // do Operation by hand
	KindFailed Kind = "failed" // automatic Operation failed; args "error" (string), "attempts" (int)
)

// Operation is what is done to a service. The built-in operations are the
// ones a processing module performs; an application may use its own with
// its own kinds, naming them in the Catalog. Names follow the rule of Kind.
type Operation string

// Built-in operations.
const (
	OpOpen    Operation = "open"    // provision a new service
	OpModify  Operation = "modify"  // change its parameters or tariff
	OpSuspend Operation = "suspend" // suspend it
	OpResume  Operation = "resume"  // resume a suspended service
	OpDelete  Operation = "delete"  // delete it
	OpRenew   Operation = "renew"   // extend its period; arg "months" (int)
)

// Operations returns the built-in operations in display order.
func Operations() []Operation {
	return []Operation{OpOpen, OpModify, OpSuspend, OpResume, OpDelete, OpRenew}
}

// String returns the kind's name.
func (k Kind) String() string { return string(k) }

// String returns the operation's name.
func (o Operation) String() string { return string(o) }

// ServiceRef identifies the service a task is about, as the billing
// application knows it.
type ServiceRef struct {
	ID          int64
	Name        string // e.g. "example.com" or "VPS-2 #1042"
	ProductType string // e.g. "vds", "domain", "ssl"
	Tariff      string // the tariff plan's name
}

// ClientRef identifies the client who owns the service.
type ClientRef struct {
	ID   int64
	Name string
}

// Route says how a task's department was chosen.
type Route string

// Routes, in the order they are tried.
const (
	RouteExplicit    Route = "explicit"     // NewTask.Department
	RouteModule      Route = "module"       // a rule for NewTask.Module
	RouteProductType Route = "product_type" // a rule for Service.ProductType
	RouteDefault     Route = "default"      // Options.DefaultDepartment
)

// Task is a notification to a department's staff that a service needs
// manual work. Title and Body are rendered once, at generation, in the
// department's task language; Kind, Operation and Args are kept so the task
// can be rendered again in another language (Service.Render).
type Task struct {
	ID         ID
	Kind       Kind
	Operation  Operation
	Module     string // the processing module that generated it, if any
	Service    ServiceRef
	Client     ClientRef
	Department rbac.DepartmentID
	RoutedBy   Route
	Status     Status
	Performer  rbac.StaffID // 0 until taken
	Language   language.Tag // the language of Title and Body
	Title      string
	Body       string
	Args       Args
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// NewTask is the input of Generate.
type NewTask struct {
	Kind      Kind      // required
	Operation Operation // required for KindManual and KindFailed
	// Module is the processing module that produced the task; routing
	// rules may map it to a department.
	Module  string
	Service ServiceRef // Service.Name required
	Client  ClientRef
	// Department, when set, is where the task goes, if it exists and is
	// active; otherwise routing continues with the rules.
	Department rbac.DepartmentID
	// Args are the message's parameters. Names reserved for the task's own
	// fields (see ReservedArgs) may not be used.
	Args Args
}

const maxRefRunes = 256

// Validate reports every bad field at once (an *rbac.ValidationError,
// rbac.ErrInvalid). It does not check that the catalog knows the kind:
// Generate does.
func (in *NewTask) Validate() error {
	var fe fieldErrors
	if in.Kind == "" {
		fe.add("kind", "required", "must not be empty")
	} else if rule, msg := validName(string(in.Kind)); rule != "" {
		fe.add("kind", rule, "%s", msg)
	}
	if in.Operation != "" {
		if rule, msg := validName(string(in.Operation)); rule != "" {
			fe.add("operation", rule, "%s", msg)
		}
	} else if in.Kind == KindManual || in.Kind == KindFailed {
		fe.add("operation", "required", "kind %s needs an operation", in.Kind)
	}
	in.Module = strings.TrimSpace(in.Module)
	in.Service.Name = strings.TrimSpace(in.Service.Name)
	in.Service.ProductType = strings.TrimSpace(in.Service.ProductType)
	in.Service.Tariff = strings.TrimSpace(in.Service.Tariff)
	in.Client.Name = strings.TrimSpace(in.Client.Name)
	for _, f := range []struct{ name, v string }{
		{"module", in.Module}, {"service.name", in.Service.Name},
		{"service.product_type", in.Service.ProductType}, {"service.tariff", in.Service.Tariff},
		{"client.name", in.Client.Name},
	} {
		if msg := checkText(f.v, maxRefRunes, false); msg != "" {
			fe.add(f.name, textRule(msg), "%s", msg)
		}
	}
	if in.Service.ID < 0 {
		fe.add("service.id", "format", "must not be negative")
	}
	if in.Service.Name == "" {
		fe.add("service.name", "required", "must not be empty")
	}
	if in.Client.ID < 0 {
		fe.add("client.id", "format", "must not be negative")
	}
	if in.Department < 0 {
		fe.add("department", "format", "must not be negative")
	}
	in.Args.check(&fe)
	return fe.err("generate task")
}

// validName reports why s is not a valid kind or operation name, or "".
func validName(s string) (rule, msg string) {
	switch {
	case s == "":
		return "required", "must not be empty"
	case len(s) > 32:
		return "max_length", "must be at most 32 characters"
	case s[0] < 'a' || s[0] > 'z':
		return "format", "must start with a lower-case letter a-z"
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return "format", "may contain only a-z, 0-9, '_', '-' and '.'"
		}
	}
	return "", ""
}

// checkText returns why s is not acceptable free text ("" is allowed), or
// "". Multi-line text may hold newlines and tabs.
func checkText(s string, maxLen int, multiline bool) string {
	switch {
	case !utf8.ValidString(s):
		return "must be valid UTF-8"
	case utf8.RuneCountInString(s) > maxLen:
		return fmt.Sprintf("must be at most %d characters", maxLen)
	}
	for _, r := range s {
		if r < 0x20 && !(multiline && (r == '\n' || r == '\t')) || r == 0x7f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return "must not contain control or bidirectional override characters"
		}
	}
	return ""
}

func textRule(msg string) string {
	switch {
	case strings.HasPrefix(msg, "must be at most"):
		return "max_length"
	case strings.HasPrefix(msg, "must be valid UTF-8"):
		return "utf8"
	}
	return "characters"
}
