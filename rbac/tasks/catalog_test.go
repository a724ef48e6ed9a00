package tasks_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/tasks"
)

func renewTask(months int64) *tasks.Task {
	return &tasks.Task{Kind: tasks.KindManual, Operation: tasks.OpRenew,
		Service: tasks.ServiceRef{ID: 1042, Name: "vps-1042", ProductType: "vds"},
		Client:  tasks.ClientRef{ID: 7, Name: "Acme"},
		Args:    tasks.Args{"months": tasks.Int(months), "until": tasks.Date(time.Date(2026, 3, 5, 15, 0, 0, 0, time.UTC))}}
}

func TestRenderPluralsEnglishRussian(t *testing.T) {
	c := tasks.NewCatalog()
	cases := []struct {
		months int64
		en, ru string
	}{
		{1, "Renew service vps-1042 for 1 month", "Продлить услугу vps-1042 на 1 месяц"},
		{2, "Renew service vps-1042 for 2 months", "Продлить услугу vps-1042 на 2 месяца"},
		{5, "Renew service vps-1042 for 5 months", "Продлить услугу vps-1042 на 5 месяцев"},
		{11, "Renew service vps-1042 for 11 months", "Продлить услугу vps-1042 на 11 месяцев"},
		{21, "Renew service vps-1042 for 21 months", "Продлить услугу vps-1042 на 21 месяц"},
		{22, "Renew service vps-1042 for 22 months", "Продлить услугу vps-1042 на 22 месяца"},
		{1000, "Renew service vps-1042 for 1,000 months", "Продлить услугу vps-1042 на 1\u00a0000 месяцев"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.months), func(t *testing.T) {
			en, err := c.Render(language.English, language.English, renewTask(tc.months))
			if err != nil {
				t.Fatal(err)
			}
			ru, err := c.Render(language.Russian, language.English, renewTask(tc.months))
			if err != nil {
				t.Fatal(err)
			}
			if en.Title != tc.en || en.Language != language.English || len(en.Missing) != 0 {
				t.Errorf("en = %q (%s, missing %v), want %q", en.Title, en.Language, en.Missing, tc.en)
			}
			if ru.Title != tc.ru || ru.Language != language.Russian || len(ru.Missing) != 0 {
				t.Errorf("ru = %q (%s, missing %v), want %q", ru.Title, ru.Language, ru.Missing, tc.ru)
			}
		})
	}
	// Dates are localized too.
	en, _ := c.Render(language.English, language.English, renewTask(3))
	ru, _ := c.Render(language.Russian, language.English, renewTask(3))
	if want := "Client Acme paid for 3 more months of service vps-1042 (vds). Extend it by hand until March 5, 2026, then close this task."; en.Body != want {
		t.Errorf("en body = %q\nwant %q", en.Body, want)
	}
	if want := "Клиент Acme оплатил продление услуги vps-1042 (vds) на 3 месяца. Продлите её вручную до 5 марта 2026 г. и закройте задачу."; ru.Body != want {
		t.Errorf("ru body = %q\nwant %q", ru.Body, want)
	}
}

func TestRenderEveryBuiltinOperation(t *testing.T) {
	c := tasks.NewCatalog()
	for _, kind := range []tasks.Kind{tasks.KindManual, tasks.KindFailed} {
		for _, op := range tasks.Operations() {
			task := renewTask(1)
			task.Kind, task.Operation = kind, op
			task.Args["attempts"] = tasks.Int(3)
			task.Args["error"] = tasks.String("timeout")
			for _, tag := range []language.Tag{language.English, language.Russian} {
				txt, err := c.Render(tag, language.English, task)
				if err != nil {
					t.Fatalf("%s/%s in %s: %v", kind, op, tag, err)
				}
				if txt.Language != tag || len(txt.Missing) != 0 || txt.Title == "" || txt.Body == "" ||
					strings.ContainsAny(txt.Title+txt.Body, "{}#") {
					t.Errorf("%s/%s in %s: %+v", kind, op, tag, txt)
				}
			}
		}
	}
	task := renewTask(1)
	task.Kind, task.Operation = tasks.KindFailed, tasks.OpSuspend
	task.Args = tasks.Args{"attempts": tasks.Int(5), "error": tasks.String("timeout")}
	ru, _ := c.Render(language.Russian, language.English, task)
	if want := "Операция «приостановка» для услуги vps-1042 (vds) клиента Acme не выполнена после 5 попыток: timeout. Выполните её вручную или перезапустите операцию и закройте задачу."; ru.Body != want {
		t.Errorf("ru failed body = %q\nwant %q", ru.Body, want)
	}
	en, _ := c.Render(language.English, language.English, task)
	if want := "Automatic suspension of service vps-1042 failed"; en.Title != want {
		t.Errorf("en failed title = %q, want %q", en.Title, want)
	}
}

func TestRenderLanguageFallback(t *testing.T) {
	c := tasks.NewCatalog()
	cases := []struct {
		name           string
		tag, fallback  language.Tag
		wantLang       language.Tag
		wantTitle      string
		wantMissing    int
		wantMissReason string
	}{
		{"ru-RU matches Russian", language.MustParse("ru-RU"), language.English, language.Russian, "Продлить услугу vps-1042 на 2 месяца", 0, ""},
		{"en-GB matches English", language.MustParse("en-GB"), language.Russian, language.English, "Renew service vps-1042 for 2 months", 0, ""},
		{"pt-BR falls back to English", language.MustParse("pt-BR"), language.English, language.English, "Renew service vps-1042 for 2 months", 1, "no catalog"},
		{"pt-BR falls back to the default language", language.MustParse("pt-BR"), language.Russian, language.Russian, "Продлить услугу vps-1042 на 2 месяца", 1, "no catalog"},
		{"an unknown default ends in English", language.MustParse("pt-BR"), language.Japanese, language.English, "Renew service vps-1042 for 2 months", 1, "no catalog"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			txt, err := c.Render(tc.tag, tc.fallback, renewTask(2))
			if err != nil {
				t.Fatal(err)
			}
			if txt.Language != tc.wantLang || txt.Title != tc.wantTitle || len(txt.Missing) != tc.wantMissing {
				t.Fatalf("got %s %q missing %v; want %s %q and %d missing", txt.Language, txt.Title, txt.Missing, tc.wantLang, tc.wantTitle, tc.wantMissing)
			}
			if tc.wantMissing > 0 {
				m := txt.Missing[0]
				if m.Reason != tc.wantMissReason || m.Wanted != tc.tag || m.Used != tc.wantLang ||
					m.Key != (tasks.Key{Kind: tasks.KindManual, Operation: tasks.OpRenew}) {
					t.Errorf("missing = %+v", m)
				}
			}
		})
	}
}

func TestRenderMissingMessageFallsBackAndIsReported(t *testing.T) {
	c := tasks.NewCatalog()
	// German knows only how to open a service, and no operation names.
	err := c.Add(language.German, tasks.Translation{Messages: map[tasks.Key]tasks.Message{
		{Kind: tasks.KindManual, Operation: tasks.OpOpen}: {Title: "Dienst {service} einrichten", Body: "Kunde {client} hat {service} bestellt."},
		{Kind: tasks.KindFailed}:                          {Title: "Automatische {operation} von {service} fehlgeschlagen", Body: "{error}"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	open := renewTask(1)
	open.Operation = tasks.OpOpen
	txt, err := c.Render(language.MustParse("de-AT"), language.English, open)
	if err != nil {
		t.Fatal(err)
	}
	if txt.Language != language.German || txt.Title != "Dienst vps-1042 einrichten" || len(txt.Missing) != 0 {
		t.Errorf("open in de-AT = %+v", txt)
	}

	susp := renewTask(1)
	susp.Operation = tasks.OpSuspend
	txt, err = c.Render(language.German, language.English, susp)
	if err != nil {
		t.Fatal(err)
	}
	want := tasks.Missing{Key: tasks.Key{Kind: tasks.KindManual, Operation: tasks.OpSuspend}, Wanted: language.German, Used: language.English, Reason: "no message"}
	if txt.Title != "Suspend service vps-1042" || len(txt.Missing) != 1 || txt.Missing[0] != want {
		t.Errorf("suspend in de = %q missing %v; want English and %v", txt.Title, txt.Missing, want)
	}

	// The failure message exists in German but the operation name does
	// not: the name comes from English and that is reported.
	fail := renewTask(1)
	fail.Kind, fail.Operation = tasks.KindFailed, tasks.OpDelete
	fail.Args = tasks.Args{"error": tasks.String("Zeitüberschreitung")}
	txt, err = c.Render(language.German, language.English, fail)
	if err != nil {
		t.Fatal(err)
	}
	wantOp := tasks.Missing{Key: tasks.Key{Operation: tasks.OpDelete}, Wanted: language.German, Used: language.English, Reason: "no operation name"}
	if txt.Title != "Automatische deletion von vps-1042 fehlgeschlagen" || len(txt.Missing) != 1 || txt.Missing[0] != wantOp {
		t.Errorf("failed in de = %q missing %v", txt.Title, txt.Missing)
	}

	// A message needing an argument the task lacks falls back to a
	// language whose message does not need it.
	err = c.Add(language.German, tasks.Translation{Messages: map[tasks.Key]tasks.Message{
		{Kind: tasks.KindManual, Operation: tasks.OpSuspend}: {Title: "Dienst {service} sperren", Body: "Grund: {reason}"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	txt, _ = c.Render(language.German, language.English, susp)
	if txt.Language != language.English || len(txt.Missing) != 1 || txt.Missing[0].Reason != "needs argument reason" {
		t.Errorf("suspend without reason in de = %+v", txt)
	}
	susp.Args = tasks.Args{"reason": tasks.String("Missbrauch")}
	txt, _ = c.Render(language.German, language.English, susp)
	if txt.Language != language.German || txt.Body != "Grund: Missbrauch" || len(txt.Missing) != 0 {
		t.Errorf("suspend with reason in de = %+v", txt)
	}
}

func TestRenderNeverShowsARawKey(t *testing.T) {
	c := tasks.NewCatalog()
	unknown := &tasks.Task{Kind: "dns_check", Service: tasks.ServiceRef{Name: "example.com"}}
	_, err := c.Render(language.English, language.English, unknown)
	var ve *rbac.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, rbac.ErrInvalid) || !ve.Has("kind", "unknown") {
		t.Errorf("unknown kind: err = %v", err)
	}
	noMonths := renewTask(1)
	delete(noMonths.Args, "months")
	_, err = c.Render(language.Russian, language.English, noMonths)
	if !errors.As(err, &ve) || !ve.Has("args.months", "required") || len(ve.Fields) != 1 {
		t.Errorf("renew without months: err = %v", err)
	}
}

func TestApplicationKindAndLanguage(t *testing.T) {
	c := tasks.NewCatalog()
	const reissue tasks.Kind = "ssl.reissue"
	key := tasks.Key{Kind: reissue}
	msgs := map[language.Tag]tasks.Message{
		language.English: {Title: "Reissue the certificate of {service}",
			Body: "Reissue {domains, plural, one {the certificate for # domain} other {the certificate for # domains}} before {deadline}; the client paid {amount}."},
		language.Russian: {Title: "Перевыпустить сертификат {service}",
			Body: "Перевыпустите сертификат для {domains, plural, one {# домена} other {# доменов}} до {deadline}; клиент заплатил {amount}."},
	}
	for tag, m := range msgs {
		if err := c.Add(tag, tasks.Translation{Messages: map[tasks.Key]tasks.Message{key: m}}); err != nil {
			t.Fatal(err)
		}
	}
	// A whole new language, with its own date format, for the new kind
	// and for a built-in one.
	err := c.Add(language.Ukrainian, tasks.Translation{
		Messages: map[tasks.Key]tasks.Message{
			key: {Title: "Перевипустити сертифікат {service}",
				Body: "{domains, plural, one {# домен} few {# домени} many {# доменів} other {# домену}} до {deadline}, сплачено {amount}."},
			{Kind: tasks.KindManual, Operation: tasks.OpSuspend}: {Title: "Призупинити послугу {service}", Body: "Клієнт {client}."},
		},
		Date: func(t time.Time) string { return t.Format("02.01.2006") },
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Languages(); len(got) != 3 || got[0] != language.English || got[1] != language.Russian || got[2] != language.Ukrainian {
		t.Errorf("languages = %v", got)
	}
	task := &tasks.Task{Kind: reissue, Service: tasks.ServiceRef{Name: "example.com"},
		Args: tasks.Args{"domains": tasks.Int(21), "deadline": tasks.Date(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)), "amount": tasks.Decimal(1234.5, 2)}}
	want := map[language.Tag]string{
		language.English:   "Reissue the certificate for 21 domains before December 1, 2026; the client paid 1,234.50.",
		language.Russian:   "Перевыпустите сертификат для 21 домена до 1 декабря 2026 г.; клиент заплатил 1\u00a0234,50.",
		language.Ukrainian: "21 домен до 01.12.2026, сплачено 1\u00a0234,50.",
	}
	for tag, body := range want {
		txt, err := c.Render(tag, language.English, task)
		if err != nil {
			t.Fatal(err)
		}
		if txt.Body != body || txt.Language != tag || len(txt.Missing) != 0 {
			t.Errorf("%s: %q (%s, %v)\nwant %q", tag, txt.Body, txt.Language, txt.Missing, body)
		}
	}
	task.Args["domains"] = tasks.Int(3)
	txt, _ := c.Render(language.Ukrainian, language.English, task)
	if !strings.HasPrefix(txt.Body, "3 домени ") {
		t.Errorf("uk few: %q", txt.Body)
	}
	sus := &tasks.Task{Kind: tasks.KindManual, Operation: tasks.OpSuspend, Service: tasks.ServiceRef{Name: "s1"}, Client: tasks.ClientRef{Name: "Acme"}}
	txt, _ = c.Render(language.MustParse("uk-UA"), language.English, sus)
	if txt.Title != "Призупинити послугу s1" || txt.Body != "Клієнт Acme." {
		t.Errorf("uk suspend: %+v", txt)
	}
}

func TestCatalogAddRejectsBadTemplates(t *testing.T) {
	c := tasks.NewCatalog()
	err := c.Add(language.French, tasks.Translation{
		Messages: map[tasks.Key]tasks.Message{
			{Kind: "a"}:    {Title: "ok {service", Body: "x"},
			{Kind: "b"}:    {Title: "ok", Body: "{n, plural, one {#}}"},
			{Kind: "c"}:    {Title: "ok", Body: "{n, choice, 0#x|1#y}"},
			{Kind: "d"}:    {Title: "", Body: "x"},
			{Kind: "e"}:    {Title: "stray }", Body: "x"},
			{Kind: "f"}:    {Title: "ok", Body: "{n, plural, some {x} other {y}}"},
			{Kind: "Bad"}:  {Title: "ok", Body: "x"},
			{Kind: "g"}:    {Title: "ok {n, number, integer}", Body: "x"},
			{Kind: "fine"}: {Title: "Fine {service}", Body: "'{literal}' # {n, plural, =0 {none} other {#}}"},
		},
		Operations: map[tasks.Operation]string{"open": ""},
	})
	var ve *rbac.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v", err)
	}
	for _, f := range []struct{ field, rule string }{
		{"messages[a].title", "syntax"}, {"messages[b].body", "syntax"}, {"messages[c].body", "syntax"},
		{"messages[d].title", "required"}, {"messages[e].title", "syntax"}, {"messages[f].body", "syntax"},
		{"messages[Bad].kind", "format"}, {"messages[g].title", "syntax"}, {"operations[open]", "required"},
	} {
		if !ve.Has(f.field, f.rule) {
			t.Errorf("missing %s (%s) in %v", f.field, f.rule, err)
		}
	}
	if len(ve.Fields) != 9 {
		t.Errorf("got %d field errors, want 9: %v", len(ve.Fields), err)
	}
	// Nothing was added: not even the good message or the language.
	if c.Has(language.French, tasks.Key{Kind: "fine"}) || len(c.Languages()) != 2 {
		t.Errorf("a rejected translation changed the catalog: %v", c.Languages())
	}
	if err := c.Add(language.French, tasks.Translation{Messages: map[tasks.Key]tasks.Message{
		{Kind: "fine"}: {Title: "Fine {service}", Body: "'{literal}' # {n, plural, =0 {none} other {#}}"}}}); err != nil {
		t.Fatal(err)
	}
	for n, want := range map[int64]string{0: "{literal} # none", 1200: "{literal} # 1\u00a0200"} {
		txt, err := c.Render(language.French, language.English, &tasks.Task{Kind: "fine", Args: tasks.Args{"n": tasks.Int(n)}})
		if err != nil || txt.Body != want {
			t.Errorf("fine n=%d: %q, %v; want %q", n, txt.Body, err, want)
		}
	}
}

func TestRenderRegionalNumbers(t *testing.T) {
	c := tasks.NewCatalog()
	if err := c.Add(language.German, tasks.Translation{Messages: map[tasks.Key]tasks.Message{
		{Kind: "pay"}: {Title: "Zahlung", Body: "{sum}"}}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Add(language.English, tasks.Translation{Messages: map[tasks.Key]tasks.Message{
		{Kind: "pay"}: {Title: "Payment", Body: "{sum}"}}}); err != nil {
		t.Fatal(err)
	}
	task := &tasks.Task{Kind: "pay", Args: tasks.Args{"sum": tasks.Decimal(1234567.5, 2)}}
	for tag, want := range map[string]string{
		"en": "1,234,567.50", "en-IN": "12,34,567.50", "de": "1.234.567,50", "de-CH": "1’234’567.50",
		"pt-BR": "1,234,567.50", // no Portuguese: English text, English numbers
	} {
		txt, err := c.Render(language.MustParse(tag), language.English, task)
		if err != nil || txt.Body != want {
			t.Errorf("%s: %q, %v; want %q", tag, txt.Body, err, want)
		}
	}
}
