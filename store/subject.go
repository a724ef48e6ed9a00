package store

import (
	"context"

	"github.com/billingrbac/billingrbac/rbac"
)

var (
	_ rbac.SubjectStore = (*Store)(nil)
	_ rbac.SubjectTx    = (*tx)(nil)
)

// StaffBySubject implements rbac.SubjectStore.
func (s *Store) StaffBySubject(ctx context.Context, subject rbac.ExternalSubject) (rbac.Staff, error) {
	return getStaff(s.db.WithContext(ctx), "subject = ? AND subject <> ''", string(subject))
}

// StaffIDBySubject implements rbac.SubjectTx.
func (t *tx) StaffIDBySubject(subject rbac.ExternalSubject) (rbac.StaffID, error) {
	return staffIDWhere(t, "subject = ? AND subject <> ''", string(subject))
}
