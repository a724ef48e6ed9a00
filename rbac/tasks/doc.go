// Package tasks generates tasks for departments and lets staff work on
// them. A task tells a department's staff that a service needs manual
// work: a manually provisioned product needs an operation done by hand
// (open, modify, suspend, resume, delete, renew) or automatic processing of
// an operation failed. Applications add their own kinds of task.
//
// Basics:
//
//	ts, err := tasks.New(svc, st, tasks.Options{
//		Routes: []tasks.Rule{
//			{Module: "manual", Department: support},
//			{ProductType: "domain", Department: sales},
//		},
//		DefaultDepartment: support,
//	})
//	t, err := ts.Generate(ctx, tasks.NewTask{
//		Kind: tasks.KindManual, Operation: tasks.OpRenew, Module: "manual",
//		Service: tasks.ServiceRef{ID: 1042, Name: "vps-1042", ProductType: "vds", Tariff: "VPS-2"},
//		Client:  tasks.ClientRef{ID: 7, Name: "Acme Ltd"},
//		Args:    tasks.Args{"months": tasks.Int(3), "until": tasks.Date(until)},
//	})
//	page, err := ts.Inbox(ctx, staff, tasks.Query{Statuses: []tasks.Status{tasks.StatusNew}})
//	t, err = ts.Take(ctx, staff, t.ID) // "assign to me"; then Close, or Release
//
// Routing: the explicit NewTask.Department, then the rules for the
// processing module, then the rules for the product type, then the default
// department; the first candidate that exists and is active receives the
// task. Rules are configuration (Options.Routes, SetRouting), not stored:
// processing modules and product types are the application's configuration
// too.
//
// Localization: a task is rendered once, at generation, in its department's
// task language (rbac.Department.TaskLanguage), matched against the
// Catalog's languages (ru-RU gets Russian). A language the catalog lacks
// (pt-BR without Portuguese) gets Options.FallbackLanguage, then English.
// A message missing in a language, or needing an argument the task lacks,
// falls back the same way and is reported (Options.OnMissing, the logger);
// a raw key is never shown. Numbers are formatted with the language's digit
// grouping and decimal separator (golang.org/x/text/number), plural forms
// follow CLDR rules for every language (golang.org/x/text/feature/plural),
// dates use the language's Translation.Date. Templates are a subset of ICU
// MessageFormat:
//
//	Renew {service} for {months, plural, one {# month} other {# months}} until {until}
//
// Plural selectors are zero, one, two, few, many, other (required) and =N;
// inside a choice # is the number; \{ \} \# \\ are literal. Every message
// may also use the task's own fields (ReservedArgs).
//
// Work: Inbox lists the tasks of the actor's active departments (every task
// with full access). Take, Release, Close and Cancel need the tasks
// function's rights (tasks:take, tasks:close, tasks:cancel; tasks:view to
// see) and membership of the task's department, or full access. Each change
// goes through the rbac.Service's change flow: one transaction under the
// version lock, after every domain caught up (so the actor is authorized
// against the current staff state, also when it changed on another
// instance), with one conditional UPDATE: of two staff taking the same task
// at once exactly one wins and the other gets rbac.ErrConflict. Every
// generation (by the system) and transition is in the change log (domain
// tasks, OpGenerate, OpTake, ...), with its actor; a refused one is not.
//
// Caveats:
//   - Task changes take the same row lock as administrative changes, so
//     they are serialized with them (and with each other) across instances.
//   - Deleting a department does not delete its tasks; only full-access
//     accounts see them then.
//   - Title and Body keep the language of generation; Service.Render shows
//     a task in another language.
package tasks
