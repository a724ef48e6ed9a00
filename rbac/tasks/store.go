package tasks

import (
	"context"
	"time"

	"github.com/billingrbac/billingrbac/rbac"
)

// Store is what the Service needs from persistence. Package store
// implements it on SQLite and PostgreSQL. Each method is one transaction;
// errors map to rbac.ErrNotFound and rbac.ErrConflict where they apply. A
// Store is safe for concurrent use.
type Store interface {
	// CreateTask inserts t (t.ID is zero) and sets t.ID.
	CreateTask(ctx context.Context, t *Task) error
	// Task reads one task. Errors: rbac.ErrNotFound.
	Task(ctx context.Context, id ID) (Task, error)
	// Tasks lists the tasks matching q, newest first (descending ID).
	Tasks(ctx context.Context, q StoreQuery) ([]Task, error)
	// Transition changes a task's status and performer if, at that
	// moment, the task is in one of tr.From (and, when tr.IfPerformer is
	// set, has that performer): one conditional UPDATE, so of two
	// concurrent transitions from the same state exactly one succeeds. It
	// returns the task after the change. Errors: rbac.ErrNotFound (no such
	// task), rbac.ErrConflict (the task is not in a state tr allows; the
	// error says which state it is in).
	Transition(ctx context.Context, tr Transition) (Task, error)
	// TaskTx returns the tasks side of tx, a write transaction of the
	// rbac.Store the rbac.Service uses (the same database transaction):
	// the Service generates and moves tasks there, with their change-log
	// entries.
	TaskTx(tx rbac.Tx) (Tx, error)
}

// StoreQuery selects tasks. Zero fields do not filter.
type StoreQuery struct {
	// Departments restricts to these departments; nil means every
	// department, an empty non-nil slice means none.
	Departments []rbac.DepartmentID
	Statuses    []Status
	Before      ID  // ID < Before: the page cursor
	Limit       int // at most this many; must be positive
}

// Transition is a conditional change of a task's status.
type Transition struct {
	ID          ID
	From        []Status     // the statuses the task may be in
	IfPerformer rbac.StaffID // when non-zero, the task's performer must be this
	To          Status
	Performer   rbac.StaffID // the performer after the change (0: none)
	At          time.Time    // UpdatedAt after the change
}
