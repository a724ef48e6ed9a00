package tasks_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/tasks"
	"github.com/billingrbac/billingrbac/store"
)

// A manual processing module needs a renewal done by hand: the task goes to
// Technical support, whose task language is Russian; a support engineer
// takes it, a second one is too late, and the task can be read in English.
func Example() {
	ctx := context.Background()
	st, err := store.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	fast := rbac.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32} // production: leave zero
	svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fast}})
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil {
		log.Fatal(err)
	}
	admin, support := boot.Admin.ID, boot.Support.ID
	ru := language.MustParse("ru-RU")
	if _, err := svc.UpdateDepartment(ctx, admin, support, rbac.DepartmentUpdate{TaskLanguage: &ru}); err != nil {
		log.Fatal(err)
	}
	if err := svc.EnablePermissions(ctx, admin, support, tasks.PermView, tasks.PermTake, tasks.PermClose); err != nil {
		log.Fatal(err)
	}
	var engineers []rbac.StaffID
	for _, login := range []string{"ivan", "olga"} {
		s, err := svc.CreateStaff(ctx, admin, rbac.NewStaff{Login: login, FullName: rbac.Text(language.Russian, login), Departments: []rbac.DepartmentID{support}})
		if err != nil {
			log.Fatal(err)
		}
		engineers = append(engineers, s.ID)
	}

	ts, err := tasks.New(svc, st, tasks.Options{
		Routes: []tasks.Rule{{Module: "manual", Department: support}},
		Now:    func() time.Time { return time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		log.Fatal(err)
	}
	task, err := ts.Generate(ctx, tasks.NewTask{
		Kind: tasks.KindManual, Operation: tasks.OpRenew, Module: "manual",
		Service: tasks.ServiceRef{ID: 1042, Name: "vps-1042", ProductType: "vds", Tariff: "VPS-2"},
		Client:  tasks.ClientRef{ID: 7, Name: "ООО Ромашка"},
		Args:    tasks.Args{"months": tasks.Int(5), "until": tasks.Date(time.Date(2026, 8, 5, 0, 0, 0, 0, time.UTC))},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(task.Language, task.RoutedBy, task.Status)
	fmt.Println(task.Title)
	fmt.Println(task.Body)

	if _, err := ts.Take(ctx, engineers[0], task.ID); err != nil {
		log.Fatal(err)
	}
	_, err = ts.Take(ctx, engineers[1], task.ID)
	fmt.Println("second take:", errors.Is(err, rbac.ErrConflict))

	en, err := ts.Render(task, language.English)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(en.Title)
	// Output:
	// ru module new
	// Продлить услугу vps-1042 на 5 месяцев
	// Клиент ООО Ромашка оплатил продление услуги vps-1042 (vds) на 5 месяцев. Продлите её вручную до 5 августа 2026 г. и закройте задачу.
	// second take: true
	// Renew service vps-1042 for 5 months
}

// An application adds its own kind of task and a language; plural forms
// come from CLDR for any language, and a message missing in a language is
// rendered from the fallback and reported.
func ExampleCatalog_Add() {
	cat := tasks.NewCatalog()
	const backup tasks.Kind = "backup.restore"
	err := cat.Add(language.English, tasks.Translation{Messages: map[tasks.Key]tasks.Message{
		{Kind: backup}: {Title: "Restore {service}", Body: "Restore {files, plural, one {# file} other {# files}} ({size} GB) from {date}."}}})
	if err != nil {
		log.Fatal(err)
	}
	err = cat.Add(language.Polish, tasks.Translation{
		Messages: map[tasks.Key]tasks.Message{
			{Kind: backup}: {Title: "Przywróć {service}", Body: "Przywróć {files, plural, one {# plik} few {# pliki} many {# plików} other {# pliku}} ({size} GB) z {date}."}},
		Date: func(t time.Time) string { return t.Format("02.01.2006") },
	})
	if err != nil {
		log.Fatal(err)
	}
	task := &tasks.Task{Kind: backup, Service: tasks.ServiceRef{Name: "web-01"},
		Args: tasks.Args{"size": tasks.Decimal(12.5, 1), "date": tasks.Date(time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC))}}
	for _, n := range []int64{1, 3, 5, 22} {
		task.Args["files"] = tasks.Int(n)
		txt, _ := cat.Render(language.MustParse("pl-PL"), language.English, task)
		fmt.Println(txt.Body)
	}
	txt, _ := cat.Render(language.English, language.English, task)
	fmt.Println(txt.Body)

	txt, _ = cat.Render(language.German, language.English, task)
	fmt.Println(txt.Title, "|", txt.Missing[0])
	// Output:
	// Przywróć 1 plik (12,5 GB) z 05.03.2026.
	// Przywróć 3 pliki (12,5 GB) z 05.03.2026.
	// Przywróć 5 plików (12,5 GB) z 05.03.2026.
	// Przywróć 22 pliki (12,5 GB) z 05.03.2026.
	// Restore 22 files (12.5 GB) from March 5, 2026.
	// Restore web-01 | backup.restore: message missing in de (no catalog), rendered in en
}
