package store_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/language"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/tasks"
)

func newTask(dept rbac.DepartmentID, name string) *tasks.Task {
	at := time.Date(2026, 3, 5, 9, 0, 0, 123000, time.UTC)
	return &tasks.Task{Kind: tasks.KindManual, Operation: tasks.OpRenew, Module: "manual",
		Service: tasks.ServiceRef{ID: 9, Name: name, ProductType: "vds", Tariff: "VPS-2"}, Client: tasks.ClientRef{ID: 3, Name: "Acme"},
		Department: dept, RoutedBy: tasks.RouteModule, Status: tasks.StatusNew, Language: language.MustParse("ru-RU"),
		Title: "t", Body: "b", Args: tasks.Args{"months": tasks.Int(3), "until": tasks.Date(at), "sum": tasks.Decimal(-1.25, 2), "s": tasks.String("x")},
		CreatedAt: at, UpdatedAt: at}
}

func TestTaskStoreRoundTripAndQueries(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		st := testdb.New(t, b)
		var made []tasks.ID
		for i, d := range []rbac.DepartmentID{1, 2, 1, 3} {
			tk := newTask(d, "svc")
			if err := st.CreateTask(ctx, tk); err != nil {
				t.Fatal(err)
			}
			if tk.ID <= 0 || (i > 0 && tk.ID <= made[i-1]) {
				t.Fatalf("ids not increasing: %v then %v", made, tk.ID)
			}
			made = append(made, tk.ID)
		}
		want := newTask(1, "svc")
		want.ID = made[0]
		got, err := st.Task(ctx, made[0])
		if err != nil {
			t.Fatal(err)
		}
		if got.Kind != want.Kind || got.Operation != want.Operation || got.Module != want.Module || got.Service != want.Service ||
			got.Client != want.Client || got.Department != 1 || got.RoutedBy != want.RoutedBy || got.Status != tasks.StatusNew ||
			got.Language != want.Language || got.Title != "t" || got.Body != "b" || !got.CreatedAt.Equal(want.CreatedAt) ||
			len(got.Args) != 4 || got.Args["sum"] != tasks.Decimal(-1.25, 2) || got.Args["until"] != want.Args["until"] {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
		if _, err := st.Task(ctx, 9999); !errors.Is(err, rbac.ErrNotFound) {
			t.Errorf("missing task: %v", err)
		}
		list := func(q tasks.StoreQuery) []tasks.ID {
			t.Helper()
			ts, err := st.Tasks(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var out []tasks.ID
			for _, tk := range ts {
				out = append(out, tk.ID)
			}
			return out
		}
		if got := list(tasks.StoreQuery{Limit: 10}); !slices.Equal(got, []tasks.ID{made[3], made[2], made[1], made[0]}) {
			t.Errorf("all = %v", got)
		}
		if got := list(tasks.StoreQuery{Departments: []rbac.DepartmentID{1, 3}, Limit: 2}); !slices.Equal(got, []tasks.ID{made[3], made[2]}) {
			t.Errorf("depts 1,3 = %v", got)
		}
		if got := list(tasks.StoreQuery{Departments: []rbac.DepartmentID{1, 3}, Before: made[2], Limit: 2}); !slices.Equal(got, []tasks.ID{made[0]}) {
			t.Errorf("depts 1,3 before = %v", got)
		}
		if got := list(tasks.StoreQuery{Departments: []rbac.DepartmentID{}, Limit: 2}); len(got) != 0 {
			t.Errorf("no departments = %v", got)
		}
		if _, err := st.Tasks(ctx, tasks.StoreQuery{}); !errors.Is(err, rbac.ErrInvalid) {
			t.Errorf("limit 0: %v", err)
		}

		at := time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC)
		tk, err := st.Transition(ctx, tasks.Transition{ID: made[1], From: []tasks.Status{tasks.StatusNew}, To: tasks.StatusInProgress, Performer: 5, At: at})
		if err != nil || tk.Status != tasks.StatusInProgress || tk.Performer != 5 || !tk.UpdatedAt.Equal(at) {
			t.Fatalf("take: %+v, %v", tk, err)
		}
		if got := list(tasks.StoreQuery{Statuses: []tasks.Status{tasks.StatusInProgress}, Limit: 5}); !slices.Equal(got, []tasks.ID{made[1]}) {
			t.Errorf("in progress = %v", got)
		}
		_, err = st.Transition(ctx, tasks.Transition{ID: made[1], From: []tasks.Status{tasks.StatusNew}, To: tasks.StatusInProgress, Performer: 6, At: at})
		if !errors.Is(err, rbac.ErrConflict) {
			t.Errorf("second take: %v", err)
		}
		_, err = st.Transition(ctx, tasks.Transition{ID: made[1], From: []tasks.Status{tasks.StatusInProgress}, IfPerformer: 6, To: tasks.StatusDone, Performer: 6, At: at})
		if !errors.Is(err, rbac.ErrConflict) {
			t.Errorf("close by a non-performer: %v", err)
		}
		_, err = st.Transition(ctx, tasks.Transition{ID: 9999, From: []tasks.Status{tasks.StatusNew}, To: tasks.StatusDone, At: at})
		if !errors.Is(err, rbac.ErrNotFound) {
			t.Errorf("missing: %v", err)
		}
		if _, err = st.Transition(ctx, tasks.Transition{ID: made[1], To: tasks.StatusDone}); !errors.Is(err, rbac.ErrInvalid) {
			t.Errorf("no From: %v", err)
		}
		if got, _ := st.Task(ctx, made[1]); got.Performer != 5 || got.Status != tasks.StatusInProgress {
			t.Errorf("refused transitions changed the task: %+v", got)
		}
	})
}

// A transition whose read-back fails rolls the UPDATE back: one
// transaction per change.
func TestTaskTransitionIsOneTransaction(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		st := testdb.New(t, b)
		tk := newTask(1, "svc")
		if err := st.CreateTask(ctx, tk); err != nil {
			t.Fatal(err)
		}
		injected := errors.New("injected")
		var armed atomic.Bool
		if err := st.DB().Callback().Query().Before("gorm:query").Register("test:fail-task-read", func(db *gorm.DB) {
			if armed.Load() && db.Statement.Table == "billingrbac_tasks" {
				_ = db.AddError(injected)
			}
		}); err != nil {
			t.Fatal(err)
		}
		armed.Store(true)
		_, err := st.Transition(ctx, tasks.Transition{ID: tk.ID, From: []tasks.Status{tasks.StatusNew}, To: tasks.StatusInProgress, Performer: 5, At: time.Now()})
		armed.Store(false)
		if !errors.Is(err, injected) {
			t.Fatalf("err = %v, want the injected failure", err)
		}
		got, err := st.Task(ctx, tk.ID)
		if err != nil || got.Status != tasks.StatusNew || got.Performer != 0 || !got.UpdatedAt.Equal(tk.UpdatedAt) {
			t.Errorf("a failed transition left %+v, %v", got, err)
		}
	})
}
