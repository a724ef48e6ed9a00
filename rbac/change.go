package rbac

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
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

// WithReason attaches a reason to the changes made with ctx; it is stored in
// their change log entries. A reason that is not valid UTF-8 or holds a NUL
// byte makes those changes fail with ErrInvalid (field "reason"), on every
// backend alike.
func WithReason(ctx context.Context, reason string) context.Context {
	return context.WithValue(ctx, reasonKey{}, reason)
}

// checkReason refuses what PostgreSQL cannot store in a text column.
func checkReason(s string) error {
	var fe fieldErrors
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		fe.add("reason", "format", "must be valid UTF-8 without NUL bytes")
	}
	return fe.err("change")
}

func reasonFrom(ctx context.Context) string {
	s, _ := ctx.Value(reasonKey{}).(string)
	return s
}
