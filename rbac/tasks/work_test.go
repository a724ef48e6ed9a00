package tasks_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/tasks"
)

func ids(ts []tasks.Task) []tasks.ID {
	out := make([]tasks.ID, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

func TestOutsiderCannotSeeOrTake(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b, tasks.Options{})
		member := e.staff("member", e.supp)
		outsider := e.staff("outsider", e.sales) // holds every tasks right, in Sales
		task := e.generate(suspend("vps-1", e.supp))

		page, err := e.ts.Inbox(e.ctx, outsider, tasks.Query{})
		if err != nil || len(page.Tasks) != 0 {
			t.Errorf("outsider inbox = %v, %v", ids(page.Tasks), err)
		}
		if _, err := e.ts.Inbox(e.ctx, outsider, tasks.Query{Department: e.supp}); !isDenied(err) {
			t.Errorf("outsider inbox of support: %v", err)
		}
		if _, err := e.ts.Task(e.ctx, outsider, task.ID); !isDenied(err) {
			t.Errorf("outsider view: %v", err)
		}
		for name, op := range map[string]func(rbac.StaffID, tasks.ID) (tasks.Task, error){
			"take":   func(a rbac.StaffID, id tasks.ID) (tasks.Task, error) { return e.ts.Take(e.ctx, a, id) },
			"close":  func(a rbac.StaffID, id tasks.ID) (tasks.Task, error) { return e.ts.Close(e.ctx, a, id) },
			"cancel": func(a rbac.StaffID, id tasks.ID) (tasks.Task, error) { return e.ts.Cancel(e.ctx, a, id) },
		} {
			_, err := op(outsider, task.ID)
			var de *rbac.DeniedError
			if !errors.As(err, &de) || de.Actor != outsider || de.Reason != fmt.Sprintf("staff member %s is not a member of department %s", outsider, e.supp) {
				t.Errorf("outsider %s: %v", name, err)
			}
		}
		if got, _ := e.ts.Task(e.ctx, member, task.ID); got.Status != tasks.StatusNew {
			t.Errorf("an outsider's refused action changed the task: %+v", got)
		}
		page, err = e.ts.Inbox(e.ctx, member, tasks.Query{})
		if err != nil || !slices.Equal(ids(page.Tasks), []tasks.ID{task.ID}) {
			t.Errorf("member inbox = %v, %v", ids(page.Tasks), err)
		}

		// Membership without the right is not enough either.
		norights := e.dept("No rights", language.English)
		if err := e.svc.DisablePermissions(e.ctx, e.admin, norights, tasks.PermTake); err != nil {
			t.Fatal(err)
		}
		viewer := e.staff("viewer", norights)
		t2 := e.generate(suspend("vps-2", norights))
		_, err = e.ts.Take(e.ctx, viewer, t2.ID)
		var de *rbac.DeniedError
		if !errors.As(err, &de) || de.Missing != tasks.PermTake {
			t.Errorf("take without tasks:take: %v", err)
		}
		// A disabled department's members no longer see its tasks.
		e.disable(norights)
		if _, err := e.ts.Inbox(e.ctx, viewer, tasks.Query{}); !isDenied(err) {
			t.Errorf("viewer of a disabled department: %v", err) // the department gave tasks:view
		}
		// Full access sees everything.
		page, err = e.ts.Inbox(e.ctx, e.admin, tasks.Query{})
		if err != nil || !slices.Equal(ids(page.Tasks), []tasks.ID{t2.ID, task.ID}) {
			t.Errorf("admin inbox = %v, %v", ids(page.Tasks), err)
		}
	})
}

func TestTakeReleaseCloseCancel(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b, tasks.Options{})
		ann := e.staff("ann", e.supp)
		bob := e.staff("bob", e.supp)
		task := e.generate(suspend("vps-1", e.supp))

		got, err := e.ts.Take(e.ctx, ann, task.ID)
		if err != nil || got.Status != tasks.StatusInProgress || got.Performer != ann || !got.UpdatedAt.After(task.UpdatedAt) {
			t.Fatalf("take: %+v, %v", got, err)
		}
		if _, err := e.ts.Take(e.ctx, bob, task.ID); !errors.Is(err, rbac.ErrConflict) {
			t.Errorf("second take: %v", err)
		}
		if _, err := e.ts.Release(e.ctx, bob, task.ID); !isDenied(err) {
			t.Errorf("bob releases ann's task: %v", err)
		}
		if _, err := e.ts.Close(e.ctx, bob, task.ID); !isDenied(err) {
			t.Errorf("bob closes ann's task: %v", err)
		}
		got, err = e.ts.Release(e.ctx, ann, task.ID)
		if err != nil || got.Status != tasks.StatusNew || got.Performer != 0 {
			t.Fatalf("release: %+v, %v", got, err)
		}
		if _, err := e.ts.Release(e.ctx, ann, task.ID); !errors.Is(err, rbac.ErrConflict) {
			t.Errorf("release a new task: %v", err)
		}
		if got, err = e.ts.Take(e.ctx, bob, task.ID); err != nil || got.Performer != bob {
			t.Fatalf("bob takes: %+v, %v", got, err)
		}
		if got, err = e.ts.Close(e.ctx, bob, task.ID); err != nil || got.Status != tasks.StatusDone || got.Performer != bob {
			t.Fatalf("close: %+v, %v", got, err)
		}
		for name, err := range map[string]error{
			"take done":   second(e.ts.Take(e.ctx, ann, task.ID)),
			"close done":  second(e.ts.Close(e.ctx, bob, task.ID)),
			"cancel done": second(e.ts.Cancel(e.ctx, bob, task.ID)),
		} {
			if !errors.Is(err, rbac.ErrConflict) {
				t.Errorf("%s: %v", name, err)
			}
		}

		// Closing a new task makes the closer its performer; cancelling
		// keeps the performer; full access releases anyone's task.
		t2 := e.generate(suspend("vps-2", e.supp))
		if got, err = e.ts.Close(e.ctx, ann, t2.ID); err != nil || got.Status != tasks.StatusDone || got.Performer != ann {
			t.Errorf("close new: %+v, %v", got, err)
		}
		t3 := e.generate(suspend("vps-3", e.supp))
		if _, err = e.ts.Take(e.ctx, ann, t3.ID); err != nil {
			t.Fatal(err)
		}
		if got, err = e.ts.Release(e.ctx, e.admin, t3.ID); err != nil || got.Status != tasks.StatusNew {
			t.Errorf("admin releases: %+v, %v", got, err)
		}
		if _, err = e.ts.Take(e.ctx, ann, t3.ID); err != nil {
			t.Fatal(err)
		}
		if got, err = e.ts.Cancel(e.ctx, bob, t3.ID); err != nil || got.Status != tasks.StatusCancelled || got.Performer != ann {
			t.Errorf("cancel: %+v, %v", got, err)
		}

		if _, err := e.ts.Take(e.ctx, ann, 999999); !errors.Is(err, rbac.ErrNotFound) {
			t.Errorf("take missing: %v", err)
		}
		if _, err := e.ts.Take(e.ctx, ann, 0); !errors.Is(err, rbac.ErrInvalid) {
			t.Errorf("take id 0: %v", err)
		}
	})
}

func second[T any](_ T, err error) error { return err }

func TestInboxFilterAndPaginate(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b, tasks.Options{})
		both := e.staff("both", e.supp, e.sales)
		var supp, sales []tasks.ID
		for i := range 7 {
			supp = append(supp, e.generate(suspend(fmt.Sprint("s", i), e.supp)).ID)
			sales = append(sales, e.generate(suspend(fmt.Sprint("p", i), e.sales)).ID)
		}
		if _, err := e.ts.Take(e.ctx, both, supp[1]); err != nil {
			t.Fatal(err)
		}
		if _, err := e.ts.Close(e.ctx, both, sales[2]); err != nil {
			t.Fatal(err)
		}
		walk := func(q tasks.Query) []tasks.ID {
			t.Helper()
			var all []tasks.ID
			for pages := 0; ; pages++ {
				p, err := e.ts.Inbox(e.ctx, both, q)
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Tasks) > q.Limit {
					t.Fatalf("page of %d > limit %d", len(p.Tasks), q.Limit)
				}
				all = append(all, ids(p.Tasks)...)
				if p.Next == 0 {
					return all
				}
				if pages > 20 {
					t.Fatal("pagination does not end")
				}
				q.Before = p.Next
			}
		}
		desc := func(s ...[]tasks.ID) []tasks.ID {
			out := slices.Concat(s...)
			slices.Sort(out)
			slices.Reverse(out)
			return out
		}
		if got, want := walk(tasks.Query{Limit: 3}), desc(supp, sales); !slices.Equal(got, want) {
			t.Errorf("all = %v, want %v", got, want)
		}
		if got, want := walk(tasks.Query{Limit: 3, Department: e.supp}), desc(supp); !slices.Equal(got, want) {
			t.Errorf("support = %v, want %v", got, want)
		}
		newSupp := desc(slices.Delete(slices.Clone(supp), 1, 2))
		if got := walk(tasks.Query{Limit: 2, Department: e.supp, Statuses: []tasks.Status{tasks.StatusNew}}); !slices.Equal(got, newSupp) {
			t.Errorf("new in support = %v, want %v", got, newSupp)
		}
		if got := walk(tasks.Query{Limit: 5, Statuses: []tasks.Status{tasks.StatusInProgress, tasks.StatusDone}}); !slices.Equal(got, []tasks.ID{sales[2], supp[1]}) {
			t.Errorf("in progress or done = %v", got)
		}
		// An exact multiple of the limit ends with Next == 0 and no empty page.
		p, err := e.ts.Inbox(e.ctx, both, tasks.Query{Limit: 7, Department: e.sales})
		if err != nil || len(p.Tasks) != 7 || p.Next != 0 {
			t.Errorf("exact page: %d tasks, next %d, %v", len(p.Tasks), p.Next, err)
		}
		_, err = e.ts.Inbox(e.ctx, both, tasks.Query{Limit: 5000, Statuses: []tasks.Status{9}, Before: -1, Department: -2})
		var ve *rbac.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 4 {
			t.Errorf("bad query: %v", err)
		}
	})
}

// TestConcurrentTake: staff members take the same task at once; exactly
// one wins, every other gets ErrConflict. Run it with -race, on PostgreSQL
// (BILLINGRBAC_POSTGRES_DSN) as well as SQLite.
func TestConcurrentTake(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b, tasks.Options{})
		const racers, rounds = 8, 5
		staff := make([]rbac.StaffID, racers)
		for i := range staff {
			staff[i] = e.staff(fmt.Sprintf("racer%d", i), e.supp)
		}
		for round := range rounds {
			task := e.generate(suspend(fmt.Sprint("vps-", round), e.supp))
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make([]error, racers)
			for i := range racers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = e.ts.Take(e.ctx, staff[i], task.ID)
				}()
			}
			close(start)
			wg.Wait()
			winner := -1
			for i, err := range errs {
				switch {
				case err == nil:
					if winner >= 0 {
						t.Fatalf("round %d: staff %d and %d both took the task", round, winner, i)
					}
					winner = i
				case !errors.Is(err, rbac.ErrConflict):
					t.Errorf("round %d: racer %d: %v, want ErrConflict", round, i, err)
				}
			}
			if winner < 0 {
				t.Fatalf("round %d: nobody took the task: %v", round, errs)
			}
			got, err := e.ts.Task(e.ctx, e.admin, task.ID)
			if err != nil || got.Status != tasks.StatusInProgress || got.Performer != staff[winner] {
				t.Errorf("round %d: stored %+v, %v; want performer %s", round, got, err, staff[winner])
			}
		}
	})
}
