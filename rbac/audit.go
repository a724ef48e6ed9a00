package rbac

import (
	"context"
	"fmt"
)

// AuditLog returns change log entries matching q, ascending by version: the
// product's action log (who, when, what, before and after, why). The actor
// needs actionlog:view. Page with q.AfterVersion set to the last version
// seen. Errors: ErrPermissionDenied.
func (s *Service) AuditLog(ctx context.Context, actor StaffID, q ChangeQuery) ([]Change, error) {
	need := Perm(FuncActionLog, ActView)
	if !s.Can(actor, need) {
		return nil, &DeniedError{Op: "audit log", Actor: actor, Missing: need,
			Reason: fmt.Sprintf("staff member %s lacks %s", actor, need)}
	}
	chs, err := s.store.Changes(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return chs, nil
}
