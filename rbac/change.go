package rbac

import (
	"context"
	"encoding/json"
	"time"

	"github.com/billingrbac/billingrbac/internal/display"
)

// Operation names a kind of committed change in the change log.
type Operation string

// Operations recorded in the change log.
const (
	OpBootstrap          Operation = "bootstrap"
	OpDepartmentCreate   Operation = "department.create"
	OpDepartmentUpdate   Operation = "department.update"
	OpDepartmentDelete   Operation = "department.delete"
	OpDepartmentEnable   Operation = "department.enable"
	OpDepartmentDisable  Operation = "department.disable"
	OpStaffCreate        Operation = "staff.create"
	OpStaffUpdate        Operation = "staff.update"
	OpStaffDelete        Operation = "staff.delete"
	OpStaffJoin          Operation = "staff.join"
	OpStaffLeave         Operation = "staff.leave"
	OpStaffGrant         Operation = "staff.grant"
	OpStaffRevoke        Operation = "staff.revoke"
	OpStaffPassword      Operation = "staff.password"
	OpStaffAvatar        Operation = "staff.avatar"
	OpDepartmentSchedule Operation = "department.schedule"
	OpScheduleCreate     Operation = "schedule.create"
	OpScheduleUpdate     Operation = "schedule.update"
	OpScheduleDelete     Operation = "schedule.delete"
)

// SystemActor is the actor recorded for bootstrap, migrations and what the
// billing system does by itself (generating tasks). No administrative
// method accepts it.
const SystemActor StaffID = 0

// Domain names the part of the model a change belongs to. Every domain
// shares one change log and one version sequence.
type Domain string

// Domains in the change log.
const (
	DomainStaff   Domain = "staff"   // staff, departments, schedules (this package)
	DomainClients Domain = "clients" // client accounts, users, roles (package clients)
	DomainTasks   Domain = "tasks"   // generated tasks and their transitions (package tasks)
)

// Change is one committed change of any domain: the entry of the change
// log and of the audit trail (the product's action log). Versions increase
// by one per change, across every domain, without gaps.
type Change struct {
	Version int64
	Domain  Domain
	At      time.Time
	// Actor is the acting staff member; SystemActor for bootstrap, for the
	// billing system and when a client user acted (ClientUser is set).
	Actor StaffID
	// ClientUser is the acting client user (a clients.ClientUserID), 0
	// when a staff member or the system acted.
	ClientUser int64
	Op         Operation
	Target     string          // "staff:7", "dept:3", "client:2", "cuser:5", "task:9"
	Before     json.RawMessage // the target before the change (null when created)
	After      json.RawMessage // the target after the change (null when deleted)
	Reason     string          // optional, see WithReason
	// Policy is the staff policy rules added and removed (DomainStaff).
	Policy PolicyDelta
	// Rules is the stored form of the domain's rules added and removed
	// (for DomainStaff, Policy encoded; for DomainClients, a clients.Delta
	// with the accounts, users and roles the change created or deleted).
	Rules json.RawMessage
	// Effect is what the change did to access: who gained and lost which
	// permissions and flags, and whose sign-in it set. It is recorded
	// with the change and returned by AuditLog and Changes (DomainStaff:
	// staff members; DomainClients: client users; tasks record none).
	Effect Effect
	// Hash identifies the change and every change before it: SHA-256 over
	// the previous change's hash and this one's content. A different
	// change under the same version (after a failover that lost commits)
	// has a different hash.
	Hash string

	// effectJSON is Effect as the flow encoded it for Hash (nil: not
	// known), so recording the change does not encode it again.
	effectJSON json.RawMessage
}

// EncodedEffect returns Effect as the change log stores it: for a change
// the change flow hands to Tx.RecordChange, the very bytes its Hash
// covers (encoded once, when the change was staged); otherwise Effect
// encoded as JSON. A Store records what it returns.
func (c Change) EncodedEffect() (json.RawMessage, error) {
	if c.effectJSON != nil {
		return c.effectJSON, nil
	}
	return marshalEffect(c.Effect), nil
}

// ChangeQuery selects entries of the change log. Zero fields do not filter.
type ChangeQuery struct {
	Domain Domain
	// Actor selects the changes made by this staff member (SystemActor:
	// by the system).
	Actor *StaffID
	// ClientUser selects the changes made by this client user.
	ClientUser   int64
	Target       string
	Op           Operation
	Since, Until time.Time // At >= Since, At < Until
	AfterVersion int64     // Version > AfterVersion: the page cursor
	Limit        int       // at most this many, ascending by version; 0 means 100
}

type reasonKey struct{}

// MaxReasonLength is the longest change reason, in characters.
const MaxReasonLength = 1024

// WithReason attaches a reason to the changes made with ctx; it is stored in
// their change log entries and shown in the audit log. A reason breaking
// the display-text rule (more than MaxReasonLength characters, invalid
// UTF-8, control, format or bidirectional characters) makes those changes
// fail with ErrInvalid (field "reason"), before anything else is done.
func WithReason(ctx context.Context, reason string) context.Context {
	return context.WithValue(ctx, reasonKey{}, reason)
}

// checkReason applies the display-text rule to a non-empty reason; its
// cost is bounded by MaxReasonLength whatever the reason's size.
func checkReason(s string) error {
	if s == "" {
		return nil
	}
	var fe fieldErrors
	if rule, msg := display.Check(s, MaxReasonLength); rule != "" {
		fe.add("reason", rule, "%s", msg)
	}
	return fe.err("change")
}

// ReasonOf returns the reason attached to ctx with WithReason ("" when
// none), checked against the rule every domain's change log applies to
// reasons. Errors: ErrInvalid (field "reason").
func ReasonOf(ctx context.Context) (string, error) {
	r := reasonFrom(ctx)
	if err := checkReason(r); err != nil {
		return "", err
	}
	return r, nil
}

func reasonFrom(ctx context.Context) string {
	s, _ := ctx.Value(reasonKey{}).(string)
	return s
}
