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

// SystemActor is the actor recorded for bootstrap and migrations. No
// administrative method accepts it.
const SystemActor StaffID = 0

// Change is one committed change: the entry of the change log and of the
// audit trail (the product's action log). Versions increase by one per
// change, without gaps.
type Change struct {
	Version int64
	At      time.Time
	Actor   StaffID // SystemActor for bootstrap
	Op      Operation
	Target  string          // "staff:7", "dept:3"
	Before  json.RawMessage // the target before the change (null when created)
	After   json.RawMessage // the target after the change (null when deleted)
	Reason  string          // optional, see WithReason
	Policy  PolicyDelta     // the policy rules added and removed
	// Effect is what the change did to access: who gained and lost which
	// permissions and flags, and whose sign-in it set. It is recorded
	// with the change and returned by AuditLog and Changes.
	Effect Effect
}

// ChangeQuery selects entries of the change log. Zero fields do not filter.
type ChangeQuery struct {
	Actor        *StaffID
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

func reasonFrom(ctx context.Context) string {
	s, _ := ctx.Value(reasonKey{}).(string)
	return s
}
