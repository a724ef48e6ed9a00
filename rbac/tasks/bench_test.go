package tasks_test

import (
	"fmt"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac/tasks"
)

// BenchmarkRender renders a renewal (two plural choices, a date, the
// department's language matched from ru-RU) and a fallback from pt-BR.
func BenchmarkRender(b *testing.B) {
	c := tasks.NewCatalog()
	task := renewTask(5)
	for _, tc := range []struct {
		name string
		tag  language.Tag
	}{{"ru", language.Russian}, {"ru-RU", language.MustParse("ru-RU")}, {"en", language.English}, {"pt-BR-fallback", language.MustParse("pt-BR")}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Render(tc.tag, language.English, task); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGenerate: route, render and store one task.
func BenchmarkGenerate(b *testing.B) {
	for _, be := range testdb.Backends(b) {
		b.Run(string(be), func(b *testing.B) {
			e := newEnv(b, be, tasks.Options{Routes: nil})
			in := suspend("vps-1", e.supp)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.ts.Generate(e.ctx, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkInbox10k lists the inbox of a support engineer whose
// department holds 10,000 tasks (and another department 2,000 more):
// the first page of 50 new tasks, and every page of 1,000.
func BenchmarkInbox10k(b *testing.B) {
	for _, be := range testdb.Backends(b) {
		b.Run(string(be), func(b *testing.B) {
			e := newEnv(b, be, tasks.Options{})
			eng := e.staff("engineer", e.supp)
			at := time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)
			for i := range 12_000 {
				d, st := e.supp, tasks.StatusNew
				if i%6 == 5 {
					d = e.sales
				}
				if i%10 == 0 {
					st = tasks.StatusInProgress
				}
				t := &tasks.Task{Kind: tasks.KindManual, Operation: tasks.OpSuspend, Department: d, RoutedBy: tasks.RouteModule,
					Service: tasks.ServiceRef{ID: int64(i), Name: fmt.Sprint("vps-", i), ProductType: "vds"}, Client: tasks.ClientRef{ID: 7, Name: "Acme"},
					Status: st, Language: language.English, Title: fmt.Sprint("Suspend service vps-", i), Body: "Service must be suspended.",
					CreatedAt: at, UpdatedAt: at}
				if err := e.st.CreateTask(e.ctx, t); err != nil {
					b.Fatal(err)
				}
			}
			b.Run("first-page-50-new", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					p, err := e.ts.Inbox(e.ctx, eng, tasks.Query{Statuses: []tasks.Status{tasks.StatusNew}})
					if err != nil || len(p.Tasks) != 50 {
						b.Fatal(len(p.Tasks), err)
					}
				}
			})
			b.Run("all-pages-of-1000", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					n := 0
					q := tasks.Query{Limit: 1000}
					for {
						p, err := e.ts.Inbox(e.ctx, eng, q)
						if err != nil {
							b.Fatal(err)
						}
						n += len(p.Tasks)
						if p.Next == 0 {
							break
						}
						q.Before = p.Next
					}
					if n != 10_000 {
						b.Fatalf("listed %d tasks, want 10000", n)
					}
				}
			})
		})
	}
}
