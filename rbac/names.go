package rbac

import (
	"context"
	"fmt"
)

// Text shown to people names accounts by login and departments by name;
// the typed fields of decisions and errors keep the IDs.

// who names staff member id for a refusal built inside a change: its
// login as the transaction sees it (so an account the change creates is
// named too), or "staff member N" when there is no such row.
func (w *txn) who(id StaffID) string {
	if st, err := w.raw.StaffMember(id); err == nil && st.Login != "" {
		return st.Login
	}
	return "staff member " + id.String()
}

// whom names a rule's subject: a login or a department's name.
func (w *txn) whom(sub Subject) string {
	if sub.Staff != 0 {
		return w.who(sub.Staff)
	}
	if d, err := w.raw.Department(sub.Department); err == nil {
		return fmt.Sprintf("department %q", d.Name.In(w.s.lang))
	}
	return "department " + sub.Department.String()
}

// who names staff member id outside a change, from the store.
func (s *Service) who(ctx context.Context, id StaffID) string {
	if st, err := s.store.StaffMember(ctx, id); err == nil && st.Login != "" {
		return st.Login
	}
	return "staff member " + id.String()
}

// departmentName names department id from the store: its name in the
// Service's language, quoted, or "department N" when it is gone.
func (s *Service) departmentName(ctx context.Context, id DepartmentID) string {
	if d, err := s.store.Department(ctx, id); err == nil {
		return fmt.Sprintf("department %q", d.Name.In(s.lang))
	}
	return "department " + id.String()
}
