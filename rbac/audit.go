package rbac

import (
	"context"
	"fmt"
)

// MaxAuditPage is the most entries one AuditLog call returns.
const MaxAuditPage = 1000

// AuditLog returns change log entries matching q, ascending by version: the
// product's action log (who, when, what, before and after, why) of every
// domain: staff and departments, client accounts (package clients: the
// acting staff member or client user) and tasks (package tasks: generated
// by the system, taken, released, closed and cancelled by staff). Filter
// by q.Domain, q.Actor or q.ClientUser, q.Target, q.Op and a time range;
// page with q.AfterVersion set to the last version seen. A refused or
// failed operation is not in the log. The actor needs actionlog:view.
// Errors: ErrPermissionDenied, ErrInvalid (a negative limit or one above
// MaxAuditPage, a negative cursor or client user).
func (s *Service) AuditLog(ctx context.Context, actor StaffID, q ChangeQuery) ([]Change, error) {
	need := Perm(FuncActionLog, ActView)
	if !s.Can(actor, need) {
		return nil, &DeniedError{Op: "audit log", Actor: actor, Missing: need,
			Reason: fmt.Sprintf("%s lacks %s", s.who(ctx, actor), need)}
	}
	var fe fieldErrors
	if q.Limit < 0 || q.Limit > MaxAuditPage {
		fe.add("limit", "range", "must be 0 to %d", MaxAuditPage)
	}
	if q.AfterVersion < 0 {
		fe.add("after_version", "range", "must not be negative")
	}
	if q.ClientUser < 0 {
		fe.add("client_user", "range", "must not be negative")
	}
	if q.Actor != nil && q.ClientUser != 0 {
		fe.add("actor", "exclusive", "give a staff member or a client user, not both")
	}
	if err := fe.err("audit log"); err != nil {
		return nil, err
	}
	chs, err := s.store.Changes(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return chs, nil
}
