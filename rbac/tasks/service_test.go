package tasks_test

import (
	"errors"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/tasks"
)

func TestGenerateInDepartmentLanguage(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b, tasks.Options{})
		ru := e.dept("Биллинг", language.MustParse("ru-RU"))
		pt := e.dept("Brasil", language.MustParse("pt-BR"))

		in := suspend("vps-7", ru)
		first := e.generate(in)
		if first.Language != language.Russian || first.Title != "Приостановить услугу vps-7" ||
			first.Body != "Услугу vps-7 (vds) клиента Acme Ltd нужно приостановить. Приостановите её вручную и закройте задачу." {
			t.Errorf("ru-RU department: %s %q %q", first.Language, first.Title, first.Body)
		}
		if first.Status != tasks.StatusNew || first.Performer != 0 || first.ID <= 0 ||
			!first.CreatedAt.Equal(time.Date(2026, 3, 5, 9, 0, 1, 0, time.UTC)) || first.RoutedBy != tasks.RouteExplicit {
			t.Errorf("new task: %+v", first)
		}
		if m := e.takeMissing(); len(m) != 0 {
			t.Errorf("ru-RU reported missing %v", m)
		}

		// Portuguese is not in the catalog: the default language, reported.
		pTask := e.generate(suspend("vps-8", pt))
		if pTask.Language != language.English || pTask.Title != "Suspend service vps-8" {
			t.Errorf("pt-BR department: %s %q", pTask.Language, pTask.Title)
		}
		m := e.takeMissing()
		if len(m) != 1 || m[0].Reason != "no catalog" || m[0].Wanted != language.MustParse("pt-BR") || m[0].Used != language.English {
			t.Errorf("pt-BR missing = %v", m)
		}

		// Changing the department's language affects later tasks only.
		e.setLanguage(ru, language.English)
		second := e.generate(in)
		if second.Language != language.English || second.Title != "Suspend service vps-7" {
			t.Errorf("after the change: %s %q", second.Language, second.Title)
		}
		again, err := e.ts.Task(e.ctx, e.admin, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again.Title != first.Title || again.Language != language.Russian {
			t.Errorf("the earlier task changed: %s %q", again.Language, again.Title)
		}

		// The stored task renders again in another language.
		txt, err := e.ts.Render(again, language.English)
		if err != nil || txt.Title != "Suspend service vps-7" {
			t.Errorf("re-render: %+v %v", txt, err)
		}
	})
}

func TestGenerateRoundTripsEveryField(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b, tasks.Options{})
		until := time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC)
		in := tasks.NewTask{Kind: tasks.KindManual, Operation: tasks.OpRenew, Module: "manual", Department: e.supp,
			Service: tasks.ServiceRef{ID: 1042, Name: "  vps-1042 ", ProductType: "vds", Tariff: "VPS-2"},
			Client:  tasks.ClientRef{ID: 7, Name: "Acme"},
			Args:    tasks.Args{"months": tasks.Int(2), "until": tasks.Date(until), "price": tasks.Decimal(19.9, 2), "note": tasks.String("paid\nby card")}}
		got := e.generate(in)
		stored, err := e.ts.Task(e.ctx, e.admin, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Service != (tasks.ServiceRef{ID: 1042, Name: "vps-1042", ProductType: "vds", Tariff: "VPS-2"}) ||
			stored.Client != in.Client || stored.Module != "manual" || stored.Kind != tasks.KindManual ||
			stored.Operation != tasks.OpRenew || stored.Department != e.supp || stored.Title != got.Title ||
			stored.Body != got.Body || !stored.CreatedAt.Equal(got.CreatedAt) || !stored.UpdatedAt.Equal(got.UpdatedAt) ||
			len(stored.Args) != 4 || stored.Args["months"] != tasks.Int(2) || stored.Args["until"] != tasks.Date(until) ||
			stored.Args["price"] != tasks.Decimal(19.9, 2) || stored.Args["note"] != tasks.String("paid\nby card") {
			t.Errorf("stored %+v\ngenerated %+v", stored, got)
		}
		if got.Title != "Renew service vps-1042 for 2 months" {
			t.Errorf("title %q", got.Title)
		}
	})
}

func TestGenerateRejectsBadInput(t *testing.T) {
	e := newEnv(t, testdb.SQLite, tasks.Options{DefaultDepartment: 0})
	_, err := e.ts.Generate(e.ctx, tasks.NewTask{
		Kind: tasks.KindManual, Module: "bad\x00module", Department: -1,
		Service: tasks.ServiceRef{ID: -5, ProductType: "vds"}, Client: tasks.ClientRef{ID: -1},
		Args: tasks.Args{"service": tasks.String("x"), "Bad": tasks.Int(1), "empty": {}, "money": tasks.Decimal(1, 9)},
	})
	var ve *rbac.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v", err)
	}
	for _, f := range []struct{ field, rule string }{
		{"operation", "required"}, {"module", "characters"}, {"department", "format"}, {"service.id", "format"},
		{"service.name", "required"}, {"client.id", "format"}, {"args.service", "reserved"}, {"args.Bad", "format"},
		{"args.empty", "required"}, {"args.money", "range"},
	} {
		if !ve.Has(f.field, f.rule) {
			t.Errorf("missing %s (%s) in %v", f.field, f.rule, err)
		}
	}
	if len(ve.Fields) != 10 {
		t.Errorf("%d field errors, want 10: %v", len(ve.Fields), err)
	}
	// A kind no language knows, and a renewal without its arguments.
	_, err = e.ts.Generate(e.ctx, tasks.NewTask{Kind: "unknown", Department: e.supp, Service: tasks.ServiceRef{Name: "s"}})
	if !errors.As(err, &ve) || !ve.Has("kind", "unknown") {
		t.Errorf("unknown kind: %v", err)
	}
	_, err = e.ts.Generate(e.ctx, tasks.NewTask{Kind: tasks.KindManual, Operation: tasks.OpRenew, Department: e.supp, Service: tasks.ServiceRef{Name: "s"}})
	if !errors.As(err, &ve) || !ve.Has("args.months", "required") || !ve.Has("args.until", "required") {
		t.Errorf("renew without args: %v", err)
	}
	if n := testdb.Count(t, e.st.DB(), "billingrbac_tasks"); n != 0 {
		t.Errorf("rejected input stored %d tasks", n)
	}
}

func TestGenerateApplicationKindInAddedLanguage(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		cat := tasks.NewCatalog()
		const transfer tasks.Kind = "domain.transfer"
		if err := cat.Add(language.English, tasks.Translation{Messages: map[tasks.Key]tasks.Message{
			{Kind: transfer}: {Title: "Transfer {service} in", Body: "{days, plural, one {# day} other {# days}} left."}}}); err != nil {
			t.Fatal(err)
		}
		if err := cat.Add(language.Ukrainian, tasks.Translation{Messages: map[tasks.Key]tasks.Message{
			{Kind: transfer}: {Title: "Перенести домен {service}", Body: "Залишилось {days, plural, one {# день} few {# дні} many {# днів} other {# дня}}."}}}); err != nil {
			t.Fatal(err)
		}
		e := newEnv(t, b, tasks.Options{Catalog: cat})
		if e.ts.Catalog() != cat {
			t.Fatal("the service does not use the given catalog")
		}
		uk := e.dept("Домени", language.MustParse("uk-UA"))
		in := tasks.NewTask{Kind: transfer, Department: uk, Service: tasks.ServiceRef{Name: "example.com.ua", ProductType: "domain"},
			Args: tasks.Args{"days": tasks.Int(4)}}
		got := e.generate(in)
		if got.Language != language.Ukrainian || got.Title != "Перенести домен example.com.ua" || got.Body != "Залишилось 4 дні." {
			t.Errorf("uk: %s %q %q", got.Language, got.Title, got.Body)
		}
		e.setLanguage(uk, language.Russian) // no Russian message for this kind: English, reported
		got = e.generate(in)
		if got.Language != language.English || got.Body != "4 days left." {
			t.Errorf("ru without the kind: %s %q", got.Language, got.Body)
		}
		m := e.takeMissing()
		if len(m) != 1 || m[0].Reason != "no message" || m[0].Wanted != language.Russian || m[0].Key != (tasks.Key{Kind: transfer}) {
			t.Errorf("missing = %v", m)
		}
	})
}
