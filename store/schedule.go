package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/hours"
)

var (
	_ rbac.ScheduleStore = (*Store)(nil)
	_ rbac.ScheduleTx    = (*tx)(nil)
)

type scheduleRow struct {
	ID           int64 `gorm:"primaryKey"`
	Name         string
	ScheduleJSON string
	CreatedAt    int64 `gorm:"autoCreateTime:false"`
	UpdatedAt    int64 `gorm:"autoUpdateTime:false"`
}

func (scheduleRow) TableName() string { return tableSchedules }

func (r scheduleRow) stored() (rbac.StoredSchedule, error) {
	var s hours.Schedule
	if err := json.Unmarshal([]byte(r.ScheduleJSON), &s); err != nil {
		return rbac.StoredSchedule{}, fmt.Errorf("store: schedule %d: decode: %w", r.ID, err)
	}
	return rbac.StoredSchedule{
		ID:        rbac.ScheduleID(r.ID),
		Schedule:  s,
		CreatedAt: fromMicros(r.CreatedAt),
		UpdatedAt: fromMicros(r.UpdatedAt),
	}, nil
}

func toScheduleRow(s *rbac.StoredSchedule) (scheduleRow, error) {
	b, err := json.Marshal(s.Schedule)
	if err != nil {
		return scheduleRow{}, fmt.Errorf("store: schedule %d: encode: %w", s.ID, err)
	}
	return scheduleRow{ID: int64(s.ID), Name: s.Schedule.Name, ScheduleJSON: string(b),
		CreatedAt: micros(s.CreatedAt), UpdatedAt: micros(s.UpdatedAt)}, nil
}

type departmentHoursRow struct {
	DepartmentID     int64 `gorm:"primaryKey;autoIncrement:false"`
	ScheduleID       int64
	ResponseTargetUS int64 `gorm:"column:response_target_us"`
	UpdatedAt        int64 `gorm:"autoUpdateTime:false"`
}

func (departmentHoursRow) TableName() string { return tableDepartmentHours }

func (r departmentHoursRow) hours() rbac.DepartmentHours {
	return rbac.DepartmentHours{
		Department: rbac.DepartmentID(r.DepartmentID),
		Schedule:   rbac.ScheduleID(r.ScheduleID),
		Target:     time.Duration(r.ResponseTargetUS) * time.Microsecond,
	}
}

func getSchedule(db *gorm.DB, id rbac.ScheduleID) (rbac.StoredSchedule, error) {
	var row scheduleRow
	if err := db.Take(&row, "id = ?", int64(id)).Error; err != nil {
		return rbac.StoredSchedule{}, mapErr(err)
	}
	return row.stored()
}

func listSchedules(db *gorm.DB) ([]rbac.StoredSchedule, error) {
	var rows []scheduleRow
	if err := db.Order("id").Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	out := make([]rbac.StoredSchedule, 0, len(rows))
	for _, r := range rows {
		s, err := r.stored()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func getDepartmentHours(db *gorm.DB, id rbac.DepartmentID) (rbac.DepartmentHours, error) {
	var row departmentHoursRow
	if err := db.Take(&row, "department_id = ?", int64(id)).Error; err != nil {
		return rbac.DepartmentHours{}, mapErr(err)
	}
	return row.hours(), nil
}

// Schedule implements rbac.ScheduleStore.
func (s *Store) Schedule(ctx context.Context, id rbac.ScheduleID) (rbac.StoredSchedule, error) {
	return getSchedule(s.db.WithContext(ctx), id)
}

// Schedules implements rbac.ScheduleStore.
func (s *Store) Schedules(ctx context.Context) ([]rbac.StoredSchedule, error) {
	return listSchedules(s.db.WithContext(ctx))
}

// DepartmentHours implements rbac.ScheduleStore.
func (s *Store) DepartmentHours(ctx context.Context, id rbac.DepartmentID) (rbac.DepartmentHours, error) {
	return getDepartmentHours(s.db.WithContext(ctx), id)
}

// AllDepartmentHours implements rbac.ScheduleStore.
func (s *Store) AllDepartmentHours(ctx context.Context) ([]rbac.DepartmentHours, error) {
	var rows []departmentHoursRow
	if err := s.db.WithContext(ctx).Order("department_id").Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	out := make([]rbac.DepartmentHours, len(rows))
	for i, r := range rows {
		out[i] = r.hours()
	}
	return out, nil
}

func (t *tx) Schedule(id rbac.ScheduleID) (rbac.StoredSchedule, error) { return getSchedule(t.db, id) }

func (t *tx) Schedules() ([]rbac.StoredSchedule, error) { return listSchedules(t.db) }

func (t *tx) CreateSchedule(s *rbac.StoredSchedule) error {
	now := t.now()
	s.CreatedAt, s.UpdatedAt = now, now
	row, err := toScheduleRow(s)
	if err != nil {
		return err
	}
	row.ID = 0
	if err := t.db.Create(&row).Error; err != nil {
		return mapErr(err)
	}
	s.ID = rbac.ScheduleID(row.ID)
	return nil
}

func (t *tx) UpdateSchedule(s *rbac.StoredSchedule) error {
	s.UpdatedAt = t.now()
	row, err := toScheduleRow(s)
	if err != nil {
		return err
	}
	return affectedOne(t.db.Model(&scheduleRow{}).Where("id = ?", row.ID).Updates(map[string]any{
		"name": row.Name, "schedule_json": row.ScheduleJSON, "updated_at": row.UpdatedAt,
	}))
}

func (t *tx) DeleteSchedule(id rbac.ScheduleID) error {
	return affectedOne(t.db.Delete(&scheduleRow{}, "id = ?", int64(id)))
}

func (t *tx) ScheduleUsers(id rbac.ScheduleID) ([]rbac.DepartmentID, error) {
	var ids []int64
	if err := t.db.Model(&departmentHoursRow{}).Where("schedule_id = ?", int64(id)).
		Order("department_id").Pluck("department_id", &ids).Error; err != nil {
		return nil, mapErr(err)
	}
	out := make([]rbac.DepartmentID, len(ids))
	for i, v := range ids {
		out[i] = rbac.DepartmentID(v)
	}
	return out, nil
}

func (t *tx) DepartmentHours(id rbac.DepartmentID) (rbac.DepartmentHours, error) {
	return getDepartmentHours(t.db, id)
}

func (t *tx) SetDepartmentHours(h rbac.DepartmentHours) error {
	row := departmentHoursRow{
		DepartmentID:     int64(h.Department),
		ScheduleID:       int64(h.Schedule),
		ResponseTargetUS: h.Target.Microseconds(),
		UpdatedAt:        micros(t.now()),
	}
	err := t.db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "department_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"schedule_id", "response_target_us", "updated_at"}),
	}).Create(&row).Error
	return mapErr(err)
}

func (t *tx) DeleteDepartmentHours(id rbac.DepartmentID) error {
	return mapErr(t.db.Delete(&departmentHoursRow{}, "department_id = ?", int64(id)).Error)
}
