package store

import (
	"context"
	"strings"

	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/rbac"
)

type staffRow struct {
	ID           int64 `gorm:"primaryKey"`
	Login        string
	FullName     string
	Email        string
	Phone        string
	Subject      string
	PasswordHash string
	CreatedAt    int64 `gorm:"autoCreateTime:false"`
	UpdatedAt    int64 `gorm:"autoUpdateTime:false"`
}

func (staffRow) TableName() string { return tableStaff }

func (r staffRow) staff() (rbac.Staff, error) {
	name, err := decodeText(r.FullName)
	if err != nil {
		return rbac.Staff{}, err
	}
	return rbac.Staff{
		ID:        rbac.StaffID(r.ID),
		Login:     r.Login,
		FullName:  name,
		Email:     r.Email,
		Phone:     r.Phone,
		Subject:   rbac.ExternalSubject(r.Subject),
		CreatedAt: fromMicros(r.CreatedAt),
		UpdatedAt: fromMicros(r.UpdatedAt),
	}, nil
}

// staffColumns leaves out password_hash: it is read only where needed.
const staffColumns = "id, login, full_name, email, phone, subject, created_at, updated_at"

func getStaff(db *gorm.DB, where string, arg any) (rbac.Staff, error) {
	var row staffRow
	if err := db.Select(staffColumns).Take(&row, where, arg).Error; err != nil {
		return rbac.Staff{}, mapErr(err)
	}
	return row.staff()
}

// StaffMember implements rbac.Store.
func (s *Store) StaffMember(ctx context.Context, id rbac.StaffID) (rbac.Staff, error) {
	return getStaff(s.db.WithContext(ctx), "id = ?", int64(id))
}

// StaffByLogin implements rbac.Store. Logins are stored lower-case, so the
// lookup is case-insensitive.
func (s *Store) StaffByLogin(ctx context.Context, login string) (rbac.Staff, error) {
	return getStaff(s.db.WithContext(ctx), "login = ?", strings.ToLower(login))
}

// StaffMembers implements rbac.Store.
func (s *Store) StaffMembers(ctx context.Context) ([]rbac.Staff, error) {
	var rows []staffRow
	if err := s.db.WithContext(ctx).Select(staffColumns).Order("id").Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	out := make([]rbac.Staff, 0, len(rows))
	for _, r := range rows {
		st, err := r.staff()
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// PasswordHash returns the stored password hash of the staff member with
// login ("" when none is set). Errors: rbac.ErrNotFound.
func (s *Store) PasswordHash(ctx context.Context, login string) (rbac.StaffID, string, error) {
	var row staffRow
	err := s.db.WithContext(ctx).Select("id, password_hash").Take(&row, "login = ?", strings.ToLower(login)).Error
	if err != nil {
		return 0, "", mapErr(err)
	}
	return rbac.StaffID(row.ID), row.PasswordHash, nil
}

func (t *tx) StaffMember(id rbac.StaffID) (rbac.Staff, error) {
	return getStaff(t.db, "id = ?", int64(id))
}

func (t *tx) CreateStaff(st *rbac.Staff) error {
	now := t.now()
	st.CreatedAt, st.UpdatedAt = now, now
	name, err := encodeText(st.FullName)
	if err != nil {
		return err
	}
	row := staffRow{Login: st.Login, FullName: name, Email: st.Email, Phone: st.Phone, Subject: string(st.Subject),
		CreatedAt: micros(now), UpdatedAt: micros(now)}
	if err := t.db.Create(&row).Error; err != nil {
		return mapErr(err)
	}
	st.ID = rbac.StaffID(row.ID)
	return nil
}

func (t *tx) UpdateStaff(st *rbac.Staff) error {
	st.UpdatedAt = t.now()
	name, err := encodeText(st.FullName)
	if err != nil {
		return err
	}
	res := t.db.Model(&staffRow{}).Where("id = ?", int64(st.ID)).Updates(map[string]any{
		"login": st.Login, "full_name": name, "email": st.Email, "phone": st.Phone, "subject": string(st.Subject),
		"updated_at": micros(st.UpdatedAt),
	})
	return affectedOne(res)
}

func (t *tx) DeleteStaff(id rbac.StaffID) error {
	return affectedOne(t.db.Delete(&staffRow{}, "id = ?", int64(id)))
}

func (t *tx) SetPasswordHash(id rbac.StaffID, hash string) error {
	return affectedOne(t.db.Model(&staffRow{}).Where("id = ?", int64(id)).
		Updates(map[string]any{"password_hash": hash, "updated_at": micros(t.now())}))
}
