package rbac

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac/hours"
)

// SupportDepartment is a department as a client sees it in the support
// center: one it may send requests to.
type SupportDepartment struct {
	ID        DepartmentID
	Name      string // in the client's language, or the fallback
	SortOrder int
	// Open: within its business hours now, by the Service's clock.
	Open bool
	// Target is the response target in business time (0: none).
	Target time.Duration
}

// SupportDepartments lists the departments clients may send requests to:
// active ones that accept client requests, by sort order then ID, each
// named in the language best matching preferred (the client's languages,
// most preferred first), falling back to the Service's default language
// and then to any. A store without business hours shows every department
// open, without a target.
func (s *Service) SupportDepartments(ctx context.Context, preferred ...language.Tag) ([]SupportDepartment, error) {
	ds, err := s.Departments(ctx)
	if err != nil {
		return nil, err
	}
	byDept := map[DepartmentID]DepartmentHours{}
	cals := map[ScheduleID]*hours.Calendar{AlwaysOpenSchedule: nil}
	if ss, ok := s.store.(ScheduleStore); ok {
		all, err := ss.AllDepartmentHours(ctx)
		if err != nil {
			return nil, fmt.Errorf("support departments: %w", err)
		}
		for _, h := range all {
			byDept[h.Department] = h
		}
	}
	now := s.now()
	var out []SupportDepartment
	for _, d := range ds {
		if !d.AcceptsClientRequests || d.Status != StatusActive {
			continue
		}
		h := byDept[d.ID]
		c, ok := cals[h.Schedule]
		if !ok {
			sch, err := s.Schedule(ctx, h.Schedule)
			if err != nil {
				return nil, fmt.Errorf("support departments: department %s: %w", d.ID, err)
			}
			if c, err = hours.Compile(sch.Schedule); err != nil {
				return nil, fmt.Errorf("support departments: schedule %s: %w", h.Schedule, err)
			}
			cals[h.Schedule] = c
		}
		out = append(out, SupportDepartment{
			ID:        d.ID,
			Name:      d.Name.In(s.lang, preferred...),
			SortOrder: d.SortOrder,
			Open:      c == nil || c.IsOpen(now),
			Target:    h.Target,
		})
	}
	return out, nil
}

// CheckTicketAccess reports whether staff member id may handle the tickets
// of department d: only an active member of an active department may, or
// an active staff member with full access. It answers from this
// instance's decisions (no I/O). Pair it with Check for the support
// function's actions (Perm(FuncSupport, ActReply) and so on). Errors: a
// *DeniedError (ErrPermissionDenied) saying why.
func (s *Service) CheckTicketAccess(id StaffID, d DepartmentID) error {
	const op = "handle tickets"
	snap := s.snap.Load()
	switch {
	case snap.hasRule(FlagRule(StaffSubject(id), FlagDisabled)):
		return denied(op, id, DenialActorDisabled, "staff member %s is disabled", id)
	case snap.hasRule(FlagRule(StaffSubject(id), FlagFullAccess)):
		return nil
	case !snap.isMember(id, d):
		return denied(op, id, DenialNotMember, "staff member %s is not a member of department %s", id, d)
	case snap.hasRule(FlagRule(DepartmentSubject(d), FlagDisabled)):
		return denied(op, id, DenialDepartmentDisabled, "department %s is disabled", d)
	}
	return nil
}

// MayHandleTickets is CheckTicketAccess as a boolean.
func (s *Service) MayHandleTickets(id StaffID, d DepartmentID) bool {
	return s.CheckTicketAccess(id, d) == nil
}
