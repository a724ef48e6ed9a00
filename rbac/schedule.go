package rbac

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/billingrbac/billingrbac/rbac/hours"
)

// ScheduleID identifies a stored business-hours schedule. IDs are assigned
// by the store and are positive; AlwaysOpenSchedule (0) is the built-in
// 24/7 schedule.
type ScheduleID int64

// AlwaysOpenSchedule is the built-in 24/7 schedule, hours.AlwaysOpen(). It
// is never stored and cannot be changed or deleted. A department without
// assigned hours uses it.
const AlwaysOpenSchedule ScheduleID = 0

// String returns the decimal form of the ID.
func (id ScheduleID) String() string { return strconv.FormatInt(int64(id), 10) }

// ParseScheduleID parses the decimal form of a schedule ID ("0" is the
// built-in 24/7 schedule). It returns an error wrapping ErrInvalid for
// anything but a non-negative integer.
func ParseScheduleID(s string) (ScheduleID, error) {
	if s == "0" {
		return AlwaysOpenSchedule, nil
	}
	n, err := parseID(s)
	if err != nil {
		return 0, fmt.Errorf("parse schedule id %q: %w", s, err)
	}
	return ScheduleID(n), nil
}

func scheduleTarget(id ScheduleID) string { return "schedule:" + id.String() }

// MaxResponseTarget bounds a department's response target.
const MaxResponseTarget = 366 * 24 * time.Hour

// StoredSchedule is a named, reusable business-hours schedule kept by the
// store. Departments refer to it by ID.
type StoredSchedule struct {
	ID        ScheduleID
	Schedule  hours.Schedule
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DepartmentHours is a department's business hours and response target
// (the product's "response regulation"): how much business time staff
// have to answer a client's request.
type DepartmentHours struct {
	Department DepartmentID
	Schedule   ScheduleID    // AlwaysOpenSchedule: 24/7
	Target     time.Duration // business time; 0: no response target
}

// ScheduleStore is the optional Store capability for business hours. Package
// store implements it; the Service returns an error wrapping
// errors.ErrUnsupported from the business-hours methods of a store that
// does not.
type ScheduleStore interface {
	// Schedule and Schedules read stored schedules (never the built-in
	// one). Errors: ErrNotFound.
	Schedule(ctx context.Context, id ScheduleID) (StoredSchedule, error)
	Schedules(ctx context.Context) ([]StoredSchedule, error)
	// DepartmentHours reads a department's assignment; ErrNotFound when it
	// has none.
	DepartmentHours(ctx context.Context, id DepartmentID) (DepartmentHours, error)
	// AllDepartmentHours reads every assignment, by department ID.
	AllDepartmentHours(ctx context.Context) ([]DepartmentHours, error)
}

// ScheduleTx is the optional Tx capability for business hours, used inside
// Store.Update. Errors map to ErrNotFound and ErrConflict where they apply.
type ScheduleTx interface {
	CreateSchedule(s *StoredSchedule) error // sets ID, CreatedAt, UpdatedAt
	UpdateSchedule(s *StoredSchedule) error // sets UpdatedAt
	DeleteSchedule(id ScheduleID) error
	Schedule(id ScheduleID) (StoredSchedule, error)
	Schedules() ([]StoredSchedule, error)
	// ScheduleUsers returns the departments assigned schedule id, sorted.
	ScheduleUsers(id ScheduleID) ([]DepartmentID, error)
	// DepartmentHours reads an assignment; ErrNotFound when there is none.
	DepartmentHours(id DepartmentID) (DepartmentHours, error)
	// SetDepartmentHours inserts or replaces an assignment.
	SetDepartmentHours(h DepartmentHours) error
	// DeleteDepartmentHours removes an assignment; nil when there is none.
	DeleteDepartmentHours(id DepartmentID) error
}

var errNoScheduleStore = fmt.Errorf("rbac: the store does not keep business hours (it implements neither ScheduleStore nor ScheduleTx): %w", errors.ErrUnsupported)

func (s *Service) scheduleStore() (ScheduleStore, error) {
	ss, ok := s.store.(ScheduleStore)
	if !ok {
		return nil, errNoScheduleStore
	}
	return ss, nil
}

func (w *txn) scheduleTx() (ScheduleTx, error) {
	st, ok := w.raw.(ScheduleTx)
	if !ok {
		return nil, errNoScheduleStore
	}
	return st, nil
}

// validateSchedule checks sch and returns it normalized, mapping its field
// errors under "schedule.".
func validateSchedule(op string, sch hours.Schedule) (hours.Schedule, error) {
	// Validate before cloning: an oversized schedule is refused by its
	// counts without copying it. Validate only trims sch's (copied) name.
	err := sch.Validate()
	var ve *hours.ValidationError
	if errors.As(err, &ve) {
		var fe fieldErrors
		for _, f := range ve.Fields {
			fe = append(fe, FieldError{Field: "schedule." + f.Field, Rule: f.Rule, Message: f.Message})
		}
		return hours.Schedule{}, fe.err(op)
	}
	if err != nil {
		return hours.Schedule{}, err
	}
	return sch.Clone(), nil
}

// uniqueScheduleName refuses a name another stored schedule uses (compared
// case-insensitively), or the built-in schedule's.
func uniqueScheduleName(op string, st ScheduleTx, self ScheduleID, name string) error {
	if strings.EqualFold(name, hours.AlwaysOpen().Name) {
		return fmt.Errorf("%s: name %q is the built-in schedule's: %w", op, name, ErrConflict)
	}
	all, err := st.Schedules()
	if err != nil {
		return err
	}
	for _, o := range all {
		if o.ID != self && strings.EqualFold(o.Schedule.Name, name) {
			return fmt.Errorf("%s: name %q is used by schedule %s: %w", op, name, o.ID, ErrConflict)
		}
	}
	return nil
}

// CreateSchedule stores a named business-hours schedule for departments to
// use. The actor needs departments:edit. Errors: ErrInvalid (a
// *ValidationError with fields named "schedule.<field>"), ErrConflict (a
// name already used), ErrPermissionDenied.
func (s *Service) CreateSchedule(ctx context.Context, actor StaffID, sch hours.Schedule) (StoredSchedule, error) {
	const op = "create schedule"
	sch, err := validateSchedule(op, sch)
	if err != nil {
		return StoredSchedule{}, err
	}
	out := StoredSchedule{Schedule: sch}
	_, err = s.write(ctx, func(w *txn) error {
		if err := w.authorize(op, actor, Perm(FuncDepartments, ActEdit)); err != nil {
			return err
		}
		st, err := w.scheduleTx()
		if err != nil {
			return err
		}
		if err := uniqueScheduleName(op, st, 0, sch.Name); err != nil {
			return err
		}
		if err := st.CreateSchedule(&out); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		w.record(actor, OpScheduleCreate, scheduleTarget(out.ID), nil, out)
		return nil
	})
	if err != nil {
		return StoredSchedule{}, err
	}
	return out, nil
}

func builtinError(op string) error {
	var fe fieldErrors
	fe.add("id", "builtin", "the built-in 24/7 schedule cannot be changed or deleted")
	return fe.err(op)
}

// UpdateSchedule replaces a stored schedule; every department using it
// follows. The actor needs departments:edit. Errors: ErrInvalid (also for
// the built-in schedule), ErrNotFound, ErrConflict, ErrPermissionDenied.
func (s *Service) UpdateSchedule(ctx context.Context, actor StaffID, id ScheduleID, sch hours.Schedule) (StoredSchedule, error) {
	const op = "update schedule"
	if id == AlwaysOpenSchedule {
		return StoredSchedule{}, builtinError(op)
	}
	sch, err := validateSchedule(op, sch)
	if err != nil {
		return StoredSchedule{}, err
	}
	var out StoredSchedule
	_, err = s.write(ctx, func(w *txn) error {
		if err := w.authorize(op, actor, Perm(FuncDepartments, ActEdit)); err != nil {
			return err
		}
		st, err := w.scheduleTx()
		if err != nil {
			return err
		}
		before, err := st.Schedule(id)
		if err != nil {
			return fmt.Errorf("%s %s: %w", op, id, err)
		}
		if err := uniqueScheduleName(op, st, id, sch.Name); err != nil {
			return err
		}
		out = before
		out.Schedule = sch
		if err := st.UpdateSchedule(&out); err != nil {
			return fmt.Errorf("%s %s: %w", op, id, err)
		}
		w.record(actor, OpScheduleUpdate, scheduleTarget(id), before, out)
		return nil
	})
	if err != nil {
		return StoredSchedule{}, err
	}
	return out, nil
}

// DeleteSchedule deletes a stored schedule no department uses. The actor
// needs departments:edit. Errors: ErrInvalid (the built-in schedule),
// ErrNotFound, ErrConflict (departments use it: the error names them),
// ErrPermissionDenied.
func (s *Service) DeleteSchedule(ctx context.Context, actor StaffID, id ScheduleID) error {
	const op = "delete schedule"
	if id == AlwaysOpenSchedule {
		return builtinError(op)
	}
	_, err := s.write(ctx, func(w *txn) error {
		if err := w.authorize(op, actor, Perm(FuncDepartments, ActEdit)); err != nil {
			return err
		}
		st, err := w.scheduleTx()
		if err != nil {
			return err
		}
		before, err := st.Schedule(id)
		if err != nil {
			return fmt.Errorf("%s %s: %w", op, id, err)
		}
		users, err := st.ScheduleUsers(id)
		if err != nil {
			return err
		}
		if len(users) > 0 {
			ids := make([]string, len(users))
			for i, d := range users {
				ids[i] = d.String()
			}
			return fmt.Errorf("%s %s: used by department(s) %s: %w", op, id, strings.Join(ids, ", "), ErrConflict)
		}
		if err := st.DeleteSchedule(id); err != nil {
			return fmt.Errorf("%s %s: %w", op, id, err)
		}
		w.record(actor, OpScheduleDelete, scheduleTarget(id), before, nil)
		return nil
	})
	return err
}

// Schedule returns a schedule; AlwaysOpenSchedule returns the built-in
// 24/7 one. Errors: ErrNotFound.
func (s *Service) Schedule(ctx context.Context, id ScheduleID) (StoredSchedule, error) {
	if id == AlwaysOpenSchedule {
		return StoredSchedule{ID: AlwaysOpenSchedule, Schedule: hours.AlwaysOpen()}, nil
	}
	ss, err := s.scheduleStore()
	if err != nil {
		return StoredSchedule{}, err
	}
	out, err := ss.Schedule(ctx, id)
	if err != nil {
		return StoredSchedule{}, fmt.Errorf("schedule %s: %w", id, err)
	}
	return out, nil
}

// Schedules lists the built-in 24/7 schedule first, then the stored ones
// by ID.
func (s *Service) Schedules(ctx context.Context) ([]StoredSchedule, error) {
	ss, err := s.scheduleStore()
	if err != nil {
		return nil, err
	}
	all, err := ss.Schedules(ctx)
	if err != nil {
		return nil, fmt.Errorf("schedules: %w", err)
	}
	return append([]StoredSchedule{{ID: AlwaysOpenSchedule, Schedule: hours.AlwaysOpen()}}, all...), nil
}
