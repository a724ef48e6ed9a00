package rbac

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/billingrbac/billingrbac/rbac/hours"
)

// SetDepartmentHours gives department id a schedule (AlwaysOpenSchedule
// for 24/7) and a response target in business time (0: none; whole
// seconds, at most MaxResponseTarget). The actor needs departments:edit.
// Errors: ErrInvalid, ErrNotFound (department or schedule),
// ErrPermissionDenied.
func (s *Service) SetDepartmentHours(ctx context.Context, actor StaffID, id DepartmentID, schedule ScheduleID, target time.Duration) (DepartmentHours, error) {
	const op = "set department hours"
	var fe fieldErrors
	if schedule < 0 {
		fe.add("schedule", "range", "must be a schedule ID or 0 for 24/7")
	}
	switch {
	case target < 0:
		fe.add("target", "range", "must not be negative")
	case target > MaxResponseTarget:
		fe.add("target", "range", "must be at most %s", MaxResponseTarget)
	case target%time.Second != 0:
		fe.add("target", "precision", "must be whole seconds")
	}
	if err := fe.err(op); err != nil {
		return DepartmentHours{}, err
	}
	h := DepartmentHours{Department: id, Schedule: schedule, Target: target}
	_, err := s.write(ctx, func(w *txn) error {
		if err := w.authorize(op, actor, Perm(FuncDepartments, ActEdit)); err != nil {
			return err
		}
		st, err := w.scheduleTx()
		if err != nil {
			return err
		}
		if _, err := w.tx.Department(id); err != nil {
			return fmt.Errorf("%s: department %s: %w", op, id, err)
		}
		if schedule != AlwaysOpenSchedule {
			if _, err := st.Schedule(schedule); err != nil {
				return fmt.Errorf("%s: schedule %s: %w", op, schedule, err)
			}
		}
		before, err := st.DepartmentHours(id)
		switch {
		case errors.Is(err, ErrNotFound):
			before = DepartmentHours{Department: id}
		case err != nil:
			return err
		}
		if before == h {
			return nil
		}
		if err := st.SetDepartmentHours(h); err != nil {
			return fmt.Errorf("%s %s: %w", op, id, err)
		}
		w.record(actor, OpDepartmentSchedule, DepartmentSubject(id).String(), before, h)
		return nil
	})
	if err != nil {
		return DepartmentHours{}, err
	}
	return h, nil
}

// deleteDepartmentHours drops a deleted department's assignment in the
// same transaction. A store without business hours has none to drop.
func (w *txn) deleteDepartmentHours(id DepartmentID) error {
	st, ok := w.raw.(ScheduleTx)
	if !ok {
		return nil
	}
	return st.DeleteDepartmentHours(id)
}

// DepartmentHours returns department id's hours: its assignment, or the
// built-in 24/7 schedule with no response target when it has none.
// Errors: ErrNotFound (no such department).
func (s *Service) DepartmentHours(ctx context.Context, id DepartmentID) (DepartmentHours, error) {
	ss, err := s.scheduleStore()
	if err != nil {
		return DepartmentHours{}, err
	}
	h, err := ss.DepartmentHours(ctx, id)
	if errors.Is(err, ErrNotFound) {
		if _, err := s.store.Department(ctx, id); err != nil {
			return DepartmentHours{}, fmt.Errorf("department hours %s: %w", id, err)
		}
		return DepartmentHours{Department: id}, nil
	}
	if err != nil {
		return DepartmentHours{}, fmt.Errorf("department hours %s: %w", id, err)
	}
	return h, nil
}

// DepartmentCalendar returns the compiled business hours of department id
// with its assignment. Results are cached until the next change this
// instance applies, so deadlines cost no database read in between.
// Errors: ErrNotFound.
func (s *Service) DepartmentCalendar(ctx context.Context, id DepartmentID) (*hours.Calendar, DepartmentHours, error) {
	v := s.snap.Load().version // moves with staff changes only, not client or task ones
	if c, h, ok := s.cals.get(v, id); ok {
		return c, h, nil
	}
	h, err := s.DepartmentHours(ctx, id)
	if err != nil {
		return nil, DepartmentHours{}, err
	}
	sch, err := s.Schedule(ctx, h.Schedule)
	if err != nil {
		return nil, DepartmentHours{}, err
	}
	c, err := hours.Compile(sch.Schedule)
	if err != nil {
		return nil, DepartmentHours{}, fmt.Errorf("department hours %s: stored schedule %s: %w", id, h.Schedule, err)
	}
	s.cals.put(v, id, c, h)
	return c, h, nil
}

// calendarCache keeps compiled department calendars for one version of
// the change log: any committed change (a schedule edited, hours assigned,
// a department deleted) moves the version and empties it, on every
// instance as it applies the change.
type calendarCache struct {
	mu      sync.Mutex
	version int64
	m       map[DepartmentID]cachedCalendar
}

type cachedCalendar struct {
	cal *hours.Calendar
	h   DepartmentHours
}

func (c *calendarCache) get(version int64, id DepartmentID) (*hours.Calendar, DepartmentHours, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version {
		return nil, DepartmentHours{}, false
	}
	e, ok := c.m[id]
	return e.cal, e.h, ok
}

func (c *calendarCache) put(version int64, id DepartmentID, cal *hours.Calendar, h DepartmentHours) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version || c.m == nil {
		c.version, c.m = version, map[DepartmentID]cachedCalendar{}
	}
	c.m[id] = cachedCalendar{cal, h}
}

// ResponseDue returns when a client's request to department id received at
// receivedAt must be answered: receivedAt plus the department's response
// target in its business hours (hours.Calendar.Add). The result is in
// receivedAt's location. Errors: ErrNotFound (no such department, or it
// has no response target), hours.ErrNeverOpen (its schedule does not open
// long enough after receivedAt), hours.ErrOutOfRange.
func (s *Service) ResponseDue(ctx context.Context, id DepartmentID, receivedAt time.Time) (time.Time, error) {
	c, h, err := s.DepartmentCalendar(ctx, id)
	if err != nil {
		return time.Time{}, err
	}
	if h.Target == 0 {
		return time.Time{}, fmt.Errorf("response due for department %s: no response target: %w", id, ErrNotFound)
	}
	due, err := c.Add(receivedAt, h.Target)
	if err != nil {
		return time.Time{}, fmt.Errorf("response due for department %s: %w", id, err)
	}
	return due, nil
}

// DepartmentOpen reports whether department id is within its business
// hours now (by the Service's clock). Errors: ErrNotFound.
func (s *Service) DepartmentOpen(ctx context.Context, id DepartmentID) (bool, error) {
	c, _, err := s.DepartmentCalendar(ctx, id)
	if err != nil {
		return false, err
	}
	return c.IsOpen(s.now()), nil
}
