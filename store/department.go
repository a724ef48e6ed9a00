package store

import (
	"context"
	"fmt"

	"golang.org/x/text/language"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/rbac"
)

type departmentRow struct {
	ID                    int64 `gorm:"primaryKey"`
	Name                  string
	AcceptsClientRequests bool
	TaskLanguage          string
	SortOrder             int
	CreatedAt             int64 `gorm:"autoCreateTime:false"`
	UpdatedAt             int64 `gorm:"autoUpdateTime:false"`
}

func (departmentRow) TableName() string { return tableDepartments }

func toDepartmentRow(d *rbac.Department) (departmentRow, error) {
	name, err := encodeText(d.Name)
	return departmentRow{
		ID:                    int64(d.ID),
		Name:                  name,
		AcceptsClientRequests: d.AcceptsClientRequests,
		TaskLanguage:          d.TaskLanguage.String(),
		SortOrder:             d.SortOrder,
		CreatedAt:             micros(d.CreatedAt),
		UpdatedAt:             micros(d.UpdatedAt),
	}, err
}

func (r departmentRow) department() (rbac.Department, error) {
	name, err := decodeText(r.Name)
	if err != nil {
		return rbac.Department{}, err
	}
	tag, err := language.Parse(r.TaskLanguage)
	if err != nil {
		return rbac.Department{}, fmt.Errorf("department %d: task language %q: %w", r.ID, r.TaskLanguage, err)
	}
	return rbac.Department{
		ID:                    rbac.DepartmentID(r.ID),
		Name:                  name,
		AcceptsClientRequests: r.AcceptsClientRequests,
		TaskLanguage:          tag,
		SortOrder:             r.SortOrder,
		CreatedAt:             fromMicros(r.CreatedAt),
		UpdatedAt:             fromMicros(r.UpdatedAt),
	}, nil
}

func getDepartment(db *gorm.DB, id rbac.DepartmentID) (rbac.Department, error) {
	var row departmentRow
	if err := db.Take(&row, "id = ?", int64(id)).Error; err != nil {
		return rbac.Department{}, mapErr(err)
	}
	return row.department()
}

func listDepartments(db *gorm.DB) ([]rbac.Department, error) {
	var rows []departmentRow
	if err := db.Order("sort_order, id").Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	out := make([]rbac.Department, 0, len(rows))
	for _, r := range rows {
		d, err := r.department()
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Department implements rbac.Store.
func (s *Store) Department(ctx context.Context, id rbac.DepartmentID) (rbac.Department, error) {
	return getDepartment(s.db.WithContext(ctx), id)
}

// Departments implements rbac.Store.
func (s *Store) Departments(ctx context.Context) ([]rbac.Department, error) {
	return listDepartments(s.db.WithContext(ctx))
}

func (t *tx) Department(id rbac.DepartmentID) (rbac.Department, error) {
	return getDepartment(t.db, id)
}

func (t *tx) Departments() ([]rbac.Department, error) { return listDepartments(t.db) }

func (t *tx) CreateDepartment(d *rbac.Department) error {
	now := t.now()
	d.CreatedAt, d.UpdatedAt = now, now
	row, err := toDepartmentRow(d)
	if err != nil {
		return err
	}
	row.ID = 0
	if err := t.db.Create(&row).Error; err != nil {
		return mapErr(err)
	}
	d.ID = rbac.DepartmentID(row.ID)
	return nil
}

func (t *tx) UpdateDepartment(d *rbac.Department) error {
	d.UpdatedAt = t.now()
	row, err := toDepartmentRow(d)
	if err != nil {
		return err
	}
	res := t.db.Model(&departmentRow{}).Where("id = ?", row.ID).Updates(map[string]any{
		"name": row.Name, "accepts_client_requests": row.AcceptsClientRequests,
		"task_language": row.TaskLanguage, "sort_order": row.SortOrder, "updated_at": row.UpdatedAt,
	})
	return affectedOne(res)
}

func (t *tx) DeleteDepartment(id rbac.DepartmentID) error {
	t.dutiesWritten = true // its conflicts of duties go with it (ON DELETE CASCADE)
	return affectedOne(t.db.Delete(&departmentRow{}, "id = ?", int64(id)))
}
