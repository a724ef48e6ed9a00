package store

import (
	"context"

	"github.com/billingrbac/billingrbac/rbac"
)

var (
	_ rbac.AvatarStore = (*Store)(nil)
	_ rbac.AvatarTx    = (*tx)(nil)
)

type avatarRow struct {
	StaffID     int64 `gorm:"primaryKey"`
	ContentType string
	Data        []byte
	UpdatedAt   int64 `gorm:"autoUpdateTime:false"`
}

func (avatarRow) TableName() string { return tableStaffAvatars }

// Avatar implements rbac.AvatarStore.
func (s *Store) Avatar(ctx context.Context, id rbac.StaffID) (rbac.Avatar, error) {
	var row avatarRow
	if err := s.db.WithContext(ctx).Take(&row, "staff_id = ?", int64(id)).Error; err != nil {
		return rbac.Avatar{}, mapErr(err)
	}
	return rbac.Avatar{ContentType: row.ContentType, Data: row.Data, UpdatedAt: fromMicros(row.UpdatedAt)}, nil
}

// SetAvatar implements rbac.AvatarTx.
func (t *tx) SetAvatar(id rbac.StaffID, a *rbac.Avatar) error {
	if _, err := t.StaffMember(id); err != nil {
		return err
	}
	a.UpdatedAt = t.now()
	return mapErr(t.db.Exec(`INSERT INTO `+tableStaffAvatars+` (staff_id, content_type, data, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (staff_id) DO UPDATE SET content_type = excluded.content_type, data = excluded.data, updated_at = excluded.updated_at`,
		int64(id), a.ContentType, a.Data, micros(a.UpdatedAt)).Error)
}

// RemoveAvatar implements rbac.AvatarTx.
func (t *tx) RemoveAvatar(id rbac.StaffID) error {
	return affectedOne(t.db.Where("staff_id = ?", int64(id)).Delete(&avatarRow{}))
}
