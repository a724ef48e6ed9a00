package tasks

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/billingrbac/billingrbac/rbac"
)

// The rights of the tasks function: seeing tasks, taking (and releasing)
// them, closing them, cancelling them.
var (
	PermView   = rbac.Perm(rbac.FuncTasks, rbac.ActView)
	PermTake   = rbac.Perm(rbac.FuncTasks, rbac.ActTake)
	PermClose  = rbac.Perm(rbac.FuncTasks, rbac.ActClose)
	PermCancel = rbac.Perm(rbac.FuncTasks, rbac.ActCancel)
)

// Query selects the tasks of an inbox. Zero fields do not filter.
type Query struct {
	Statuses   []Status
	Department rbac.DepartmentID // one of the actor's departments
	Before     ID                // the page cursor: Page.Next of the previous page
	Limit      int               // page size; 0 means 50, at most 1000
}

// Page is one page of an inbox, newest task first.
type Page struct {
	Tasks []Task
	Next  ID // pass as Query.Before for the next page; 0 on the last page
}

const (
	defaultLimit = 50
	maxLimit     = 1000
)

// Validate reports every bad field at once (rbac.ErrInvalid).
func (q *Query) Validate() error {
	var fe fieldErrors
	for i, st := range q.Statuses {
		if !st.Valid() {
			fe.add(fmt.Sprintf("statuses[%d]", i), "enum", "must be new, in_progress, done or cancelled")
		}
	}
	if q.Department < 0 {
		fe.add("department", "format", "must not be negative")
	}
	if q.Before < 0 {
		fe.add("before", "format", "must not be negative")
	}
	if q.Limit < 0 || q.Limit > maxLimit {
		fe.add("limit", "range", "must be 0 to %d", maxLimit)
	}
	return fe.err("list tasks")
}

func denied(op string, actor rbac.StaffID, format string, args ...any) error {
	return &rbac.DeniedError{Op: op, Actor: actor, Reason: fmt.Sprintf(format, args...)}
}

// need checks that actor is an active staff member holding p.
func (s *Service) need(op string, actor rbac.StaffID, p rbac.Permission) error {
	if s.rbac.Can(actor, p) {
		return nil
	}
	return &rbac.DeniedError{Op: op, Actor: actor, Missing: p,
		Reason: fmt.Sprintf("staff member %s lacks %s", actor, p)}
}

// visible returns the departments whose tasks actor sees: nil for all
// (full access), otherwise the actor's active departments. Both come from
// the decision index: no I/O.
func (s *Service) visible(actor rbac.StaffID) []rbac.DepartmentID {
	if s.rbac.IsFullAccess(actor) {
		return nil
	}
	mine := s.rbac.MemberDepartments(actor)
	out := mine[:0]
	for _, id := range mine {
		if !s.rbac.DepartmentDisabled(id) {
			out = append(out, id)
		}
	}
	if out == nil {
		out = []rbac.DepartmentID{}
	}
	return out
}

// mayWork checks that actor holds p and may work on department d's tasks:
// full access, or membership of d while d is active.
func (s *Service) mayWork(op string, actor rbac.StaffID, p rbac.Permission, d rbac.DepartmentID) error {
	if err := s.need(op, actor, p); err != nil {
		return err
	}
	if s.rbac.IsFullAccess(actor) {
		return nil
	}
	if !s.rbac.IsMember(actor, d) {
		return denied(op, actor, "staff member %s is not a member of department %s", actor, d)
	}
	if s.rbac.DepartmentDisabled(d) {
		return denied(op, actor, "department %s is disabled", d)
	}
	return nil
}

// Inbox lists the tasks actor may see, newest first: those of the actor's
// active departments, or every task with full access; filtered by q. The
// actor needs tasks:view. Errors: rbac.ErrInvalid (bad query),
// rbac.ErrPermissionDenied (no tasks:view, or q.Department is not one of
// the actor's).
func (s *Service) Inbox(ctx context.Context, actor rbac.StaffID, q Query) (Page, error) {
	const op = "list tasks"
	if err := q.Validate(); err != nil {
		return Page{}, err
	}
	if err := s.need(op, actor, PermView); err != nil {
		return Page{}, err
	}
	depts := s.visible(actor)
	if q.Department != 0 {
		if depts != nil && !slices.Contains(depts, q.Department) {
			return Page{}, denied(op, actor, "staff member %s does not see the tasks of department %s", actor, q.Department)
		}
		depts = []rbac.DepartmentID{q.Department}
	}
	limit := q.Limit
	if limit == 0 {
		limit = defaultLimit
	}
	ts, err := s.store.Tasks(ctx, StoreQuery{Departments: depts, Statuses: q.Statuses, Before: q.Before, Limit: limit + 1})
	if err != nil {
		return Page{}, fmt.Errorf("%s: %w", op, err)
	}
	p := Page{Tasks: ts}
	if len(ts) > limit {
		p.Tasks = ts[:limit]
		p.Next = ts[limit-1].ID
	}
	return p, nil
}

// Task returns task id if actor may see it (tasks:view and one of the
// actor's active departments, or full access). Errors: rbac.ErrNotFound,
// rbac.ErrPermissionDenied.
func (s *Service) Task(ctx context.Context, actor rbac.StaffID, id ID) (Task, error) {
	const op = "view task"
	if err := s.need(op, actor, PermView); err != nil {
		return Task{}, err
	}
	t, err := s.load(ctx, op, id)
	if err != nil {
		return Task{}, err
	}
	if err := s.mayWork(op, actor, PermView, t.Department); err != nil {
		return Task{}, err
	}
	return t, nil
}

func (s *Service) load(ctx context.Context, op string, id ID) (Task, error) {
	if id <= 0 {
		return Task{}, &rbac.ValidationError{Op: op, Fields: []rbac.FieldError{{Field: "id", Rule: "format", Message: "must be a positive task id"}}}
	}
	t, err := s.store.Task(ctx, id)
	if err != nil {
		return Task{}, fmt.Errorf("%s %s: %w", op, id, err)
	}
	return t, nil
}

func (s *Service) at() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func stateConflict(op string, t Task) error {
	if t.Status == StatusInProgress {
		return fmt.Errorf("%s %s: %w: task is in progress (performer %s)", op, t.ID, rbac.ErrConflict, t.Performer)
	}
	return fmt.Errorf("%s %s: %w: task is %s", op, t.ID, rbac.ErrConflict, t.Status)
}

// Take assigns a new task to actor ("assign to me") and puts it in
// progress. The actor needs tasks:take and membership of the task's
// (active) department, or full access. Of several staff taking the same
// task at once exactly one succeeds; the others get rbac.ErrConflict.
// Errors: rbac.ErrNotFound, rbac.ErrPermissionDenied, rbac.ErrConflict
// (the task is not new).
func (s *Service) Take(ctx context.Context, actor rbac.StaffID, id ID) (Task, error) {
	const op = "take task"
	return s.write(ctx, actor, OpTake, func(w *stage) error {
		t, err := w.load(op, id)
		if err != nil {
			return err
		}
		if err := s.mayWork(op, actor, PermTake, t.Department); err != nil {
			return err
		}
		if t.Status != StatusNew {
			return stateConflict(op, t)
		}
		return w.transition(op, Transition{ID: id, From: []Status{StatusNew}, To: StatusInProgress, Performer: actor, At: s.at()})
	})
}

// Release gives a task in progress back: it becomes new, without a
// performer. Its performer may release it (tasks:take), and a full-access
// account may release anyone's. Errors: rbac.ErrNotFound,
// rbac.ErrPermissionDenied, rbac.ErrConflict (the task is not in progress,
// or changed meanwhile).
func (s *Service) Release(ctx context.Context, actor rbac.StaffID, id ID) (Task, error) {
	const op = "release task"
	return s.write(ctx, actor, OpRelease, func(w *stage) error {
		t, err := w.load(op, id)
		if err != nil {
			return err
		}
		if err := s.mayWork(op, actor, PermTake, t.Department); err != nil {
			return err
		}
		if t.Status != StatusInProgress {
			return stateConflict(op, t)
		}
		if t.Performer != actor && !s.rbac.IsFullAccess(actor) {
			return denied(op, actor, "task %s is taken by staff member %s", id, t.Performer)
		}
		return w.transition(op, Transition{ID: id, From: []Status{StatusInProgress}, IfPerformer: t.Performer,
			To: StatusNew, At: s.at()})
	})
}

// Close marks a task done. A new task is closed by actor, who becomes its
// performer; a task in progress is closed by its performer or a
// full-access account. The actor needs tasks:close and membership of the
// task's (active) department, or full access. Errors: rbac.ErrNotFound,
// rbac.ErrPermissionDenied, rbac.ErrConflict (already done or cancelled,
// or changed meanwhile).
func (s *Service) Close(ctx context.Context, actor rbac.StaffID, id ID) (Task, error) {
	const op = "close task"
	return s.write(ctx, actor, OpClose, func(w *stage) error {
		t, err := w.load(op, id)
		if err != nil {
			return err
		}
		if err := s.mayWork(op, actor, PermClose, t.Department); err != nil {
			return err
		}
		switch t.Status {
		case StatusNew:
			return w.transition(op, Transition{ID: id, From: []Status{StatusNew}, To: StatusDone, Performer: actor, At: s.at()})
		case StatusInProgress:
			if t.Performer != actor && !s.rbac.IsFullAccess(actor) {
				return denied(op, actor, "task %s is taken by staff member %s", id, t.Performer)
			}
			return w.transition(op, Transition{ID: id, From: []Status{StatusInProgress}, IfPerformer: t.Performer,
				To: StatusDone, Performer: t.Performer, At: s.at()})
		}
		return stateConflict(op, t)
	})
}

// Cancel cancels a new or in-progress task: no work will be done. The
// actor needs tasks:cancel and membership of the task's (active)
// department, or full access; the performer, if any, is kept. Errors:
// rbac.ErrNotFound, rbac.ErrPermissionDenied, rbac.ErrConflict (already
// done or cancelled, or changed meanwhile).
func (s *Service) Cancel(ctx context.Context, actor rbac.StaffID, id ID) (Task, error) {
	const op = "cancel task"
	return s.write(ctx, actor, OpCancel, func(w *stage) error {
		t, err := w.load(op, id)
		if err != nil {
			return err
		}
		if err := s.mayWork(op, actor, PermCancel, t.Department); err != nil {
			return err
		}
		if t.Status != StatusNew && t.Status != StatusInProgress {
			return stateConflict(op, t)
		}
		return w.transition(op, Transition{ID: id, From: []Status{t.Status}, IfPerformer: t.Performer,
			To: StatusCancelled, Performer: t.Performer, At: s.at()})
	})
}
