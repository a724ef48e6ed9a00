package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"golang.org/x/text/language"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/tasks"
)

var _ tasks.Store = (*Store)(nil)

type taskRow struct {
	ID           int64 `gorm:"primaryKey"`
	Kind         string
	Operation    string
	Module       string
	ServiceID    int64
	ServiceName  string
	ProductType  string
	Tariff       string
	ClientID     int64
	ClientName   string
	DepartmentID int64
	RoutedBy     string
	Status       string
	Performer    int64
	Language     string
	Title        string
	Body         string
	ArgsJSON     string `gorm:"column:args_json"`
	CreatedAt    int64  `gorm:"autoCreateTime:false"`
	UpdatedAt    int64  `gorm:"autoUpdateTime:false"`
}

func (taskRow) TableName() string { return tableTasks }

func toTaskRow(t *tasks.Task) (taskRow, error) {
	args := t.Args
	if args == nil {
		args = tasks.Args{}
	}
	b, err := json.Marshal(args)
	if err != nil {
		return taskRow{}, fmt.Errorf("encode task args: %w", err)
	}
	return taskRow{
		ID: int64(t.ID), Kind: string(t.Kind), Operation: string(t.Operation), Module: t.Module,
		ServiceID: t.Service.ID, ServiceName: t.Service.Name, ProductType: t.Service.ProductType, Tariff: t.Service.Tariff,
		ClientID: t.Client.ID, ClientName: t.Client.Name,
		DepartmentID: int64(t.Department), RoutedBy: string(t.RoutedBy),
		Status: t.Status.String(), Performer: int64(t.Performer),
		Language: t.Language.String(), Title: t.Title, Body: t.Body, ArgsJSON: string(b),
		CreatedAt: micros(t.CreatedAt), UpdatedAt: micros(t.UpdatedAt),
	}, nil
}

func (r taskRow) task() (tasks.Task, error) { return r.taskWith(nil) }

// taskWith decodes the row; tags caches parsed language tags across the
// rows of one listing (nil: no cache).
func (r taskRow) taskWith(tags map[string]language.Tag) (tasks.Task, error) {
	st, err := tasks.ParseStatus(r.Status)
	if err != nil {
		return tasks.Task{}, fmt.Errorf("task %d: %w", r.ID, err)
	}
	tag, ok := tags[r.Language]
	if !ok {
		if tag, err = language.Parse(r.Language); err != nil {
			return tasks.Task{}, fmt.Errorf("task %d: language %q: %w", r.ID, r.Language, err)
		}
		if tags != nil {
			tags[r.Language] = tag
		}
	}
	var args tasks.Args
	if r.ArgsJSON != "{}" {
		if err := json.Unmarshal([]byte(r.ArgsJSON), &args); err != nil {
			return tasks.Task{}, fmt.Errorf("task %d: args: %w", r.ID, err)
		}
	}
	if len(args) == 0 {
		args = nil
	}
	return tasks.Task{
		ID: tasks.ID(r.ID), Kind: tasks.Kind(r.Kind), Operation: tasks.Operation(r.Operation), Module: r.Module,
		Service:    tasks.ServiceRef{ID: r.ServiceID, Name: r.ServiceName, ProductType: r.ProductType, Tariff: r.Tariff},
		Client:     tasks.ClientRef{ID: r.ClientID, Name: r.ClientName},
		Department: rbac.DepartmentID(r.DepartmentID), RoutedBy: tasks.Route(r.RoutedBy),
		Status: st, Performer: rbac.StaffID(r.Performer),
		Language: tag, Title: r.Title, Body: r.Body, Args: args,
		CreatedAt: fromMicros(r.CreatedAt), UpdatedAt: fromMicros(r.UpdatedAt),
	}, nil
}

// taskColumns lists taskRow's columns in the order scanTask reads them.
const taskColumns = "id, kind, operation, module, service_id, service_name, product_type, tariff, client_id, client_name, " +
	"department_id, routed_by, status, performer, language, title, body, args_json, created_at, updated_at"

func scanTask(rows *sql.Rows) (taskRow, error) {
	var r taskRow
	err := rows.Scan(&r.ID, &r.Kind, &r.Operation, &r.Module, &r.ServiceID, &r.ServiceName, &r.ProductType, &r.Tariff,
		&r.ClientID, &r.ClientName, &r.DepartmentID, &r.RoutedBy, &r.Status, &r.Performer, &r.Language, &r.Title,
		&r.Body, &r.ArgsJSON, &r.CreatedAt, &r.UpdatedAt)
	return r, err
}

func getTask(db *gorm.DB, id tasks.ID) (tasks.Task, error) {
	var row taskRow
	if err := db.Take(&row, "id = ?", int64(id)).Error; err != nil {
		return tasks.Task{}, mapErr(err)
	}
	return row.task()
}

// CreateTask implements tasks.Store.
func (s *Store) CreateTask(ctx context.Context, t *tasks.Task) error {
	row, err := toTaskRow(t)
	if err != nil {
		return err
	}
	row.ID = 0
	err = s.transaction(ctx, nil, func(db *gorm.DB) error {
		return db.Create(&row).Error
	})
	if err != nil {
		return fmt.Errorf("store: create task: %w", mapErr(err))
	}
	t.ID = tasks.ID(row.ID)
	return nil
}

// TaskTx implements tasks.Store: the tasks side of a write transaction of
// this Store.
func (s *Store) TaskTx(t rbac.Tx) (tasks.Tx, error) {
	st, ok := t.(*tx)
	if !ok || st.s != s {
		return nil, fmt.Errorf("store: task transaction: %w: not a transaction of this store", rbac.ErrInvalid)
	}
	return taskTx{st.db}, nil
}

// taskTx implements tasks.Tx on one GORM transaction.
type taskTx struct{ db *gorm.DB }

func (t taskTx) CreateTask(task *tasks.Task) error {
	row, err := toTaskRow(task)
	if err != nil {
		return err
	}
	row.ID = 0
	if err := t.db.Create(&row).Error; err != nil {
		return fmt.Errorf("store: create task: %w", mapErr(err))
	}
	task.ID = tasks.ID(row.ID)
	return nil
}

func (t taskTx) Task(id tasks.ID) (tasks.Task, error) {
	task, err := getTask(t.db, id)
	if err != nil {
		return tasks.Task{}, fmt.Errorf("store: task %s: %w", id, err)
	}
	return task, nil
}

func (t taskTx) Transition(tr tasks.Transition) (tasks.Task, error) {
	out, err := transition(t.db, tr)
	if err != nil {
		return tasks.Task{}, fmt.Errorf("store: task %s: %w", tr.ID, err)
	}
	return out, nil
}

// Task implements tasks.Store.
func (s *Store) Task(ctx context.Context, id tasks.ID) (tasks.Task, error) {
	t, err := getTask(s.db.WithContext(ctx), id)
	if err != nil {
		return tasks.Task{}, fmt.Errorf("store: task %s: %w", id, err)
	}
	return t, nil
}

// Tasks implements tasks.Store.
func (s *Store) Tasks(ctx context.Context, q tasks.StoreQuery) ([]tasks.Task, error) {
	if q.Departments != nil && len(q.Departments) == 0 {
		return nil, nil
	}
	if q.Limit <= 0 {
		return nil, fmt.Errorf("store: list tasks: %w: limit must be positive", rbac.ErrInvalid)
	}
	db := s.db.WithContext(ctx).Model(&taskRow{})
	if q.Departments != nil {
		ids := make([]int64, len(q.Departments))
		for i, d := range q.Departments {
			ids[i] = int64(d)
		}
		db = db.Where("department_id IN ?", ids)
	}
	if len(q.Statuses) > 0 {
		sts := make([]string, len(q.Statuses))
		for i, st := range q.Statuses {
			sts[i] = st.String()
		}
		db = db.Where("status IN ?", sts)
	}
	if q.Before > 0 {
		db = db.Where("id < ?", int64(q.Before))
	}
	rows, err := db.Select(taskColumns).Order("id DESC").Limit(q.Limit).Rows()
	if err != nil {
		return nil, fmt.Errorf("store: list tasks: %w", mapErr(err))
	}
	defer rows.Close()
	out := make([]tasks.Task, 0, min(q.Limit, 1024))
	tags := map[string]language.Tag{}
	for rows.Next() {
		r, err := scanTask(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list tasks: %w", mapErr(err))
		}
		t, err := r.taskWith(tags)
		if err != nil {
			return nil, fmt.Errorf("store: list tasks: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list tasks: %w", mapErr(err))
	}
	return out, nil
}

// Transition implements tasks.Store: one conditional UPDATE in a
// transaction, then the row read back. On PostgreSQL a concurrent
// transition waits for the row lock and re-checks the condition against
// the committed row; on SQLite transactions are IMMEDIATE, so writers run
// one at a time.
func (s *Store) Transition(ctx context.Context, tr tasks.Transition) (tasks.Task, error) {
	var out tasks.Task
	err := s.transaction(ctx, nil, func(db *gorm.DB) error {
		var err error
		out, err = transition(db, tr)
		return err
	})
	if err != nil {
		return tasks.Task{}, fmt.Errorf("store: task %s: %w", tr.ID, err)
	}
	return out, nil
}

// transition is one conditional UPDATE through db (a transaction), then
// the row read back.
func transition(db *gorm.DB, tr tasks.Transition) (tasks.Task, error) {
	if len(tr.From) == 0 || !tr.To.Valid() {
		return tasks.Task{}, fmt.Errorf("store: task transition: %w: want From and a valid To", rbac.ErrInvalid)
	}
	from := make([]string, len(tr.From))
	for i, st := range tr.From {
		from[i] = st.String()
	}
	var out tasks.Task
	err := func() error {
		q := db.Model(&taskRow{}).Where("id = ? AND status IN ?", int64(tr.ID), from)
		if tr.IfPerformer != 0 {
			q = q.Where("performer = ?", int64(tr.IfPerformer))
		}
		res := q.Updates(map[string]any{
			"status": tr.To.String(), "performer": int64(tr.Performer), "updated_at": micros(tr.At),
		})
		if res.Error != nil {
			return mapErr(res.Error)
		}
		cur, err := getTask(db, tr.ID)
		if err != nil {
			return err
		}
		if res.RowsAffected == 0 {
			if cur.Status == tasks.StatusInProgress {
				return fmt.Errorf("%w: task is in progress (performer %s)", rbac.ErrConflict, cur.Performer)
			}
			return fmt.Errorf("%w: task is %s", rbac.ErrConflict, cur.Status)
		}
		out = cur
		return nil
	}()
	return out, err
}
