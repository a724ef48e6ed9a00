package tasks

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/engine"
	"github.com/billingrbac/billingrbac/rbac"
)

// Options configures a Service. The zero value works: the built-in
// catalog, no routing rules (tasks need an explicit department), time.Now.
type Options struct {
	// Catalog holds the messages; nil means NewCatalog(). Add languages,
	// kinds and operations to it, before or after New.
	Catalog *Catalog
	// Routes map processing modules and product types to departments;
	// DefaultDepartment takes what no rule routes. Change both later with
	// SetRouting.
	Routes            []Rule
	DefaultDepartment rbac.DepartmentID
	// FallbackLanguage is the language of a task whose department's task
	// language the catalog lacks; und means the rbac.Service's default
	// language. English is always the last resort.
	FallbackLanguage language.Tag
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// OnMissing, when set, is called for every missing translation a
	// rendering fell back over (also logged at Warn level).
	OnMissing func(t Task, m Missing)
	// Logger receives warnings about fallbacks and skipped routes; nil
	// discards them.
	Logger *slog.Logger
}

// Service generates tasks for departments and lets staff work on them. It
// is safe for concurrent use.
type Service struct {
	rbac      *rbac.Service
	eng       *engine.Engine // svc's change flow
	store     Store
	catalog   *Catalog
	fallback  language.Tag
	now       func() time.Time
	onMissing func(Task, Missing)
	log       *slog.Logger
	routing   atomic.Pointer[routing]
}

// New returns a Service answering access questions with svc and persisting
// tasks in st. The schema must have been migrated (store.Migrate). Errors:
// rbac.ErrInvalid (bad routing rules).
func New(svc *rbac.Service, st Store, opts Options) (*Service, error) {
	s := &Service{
		rbac:      svc,
		eng:       engine.Of(svc),
		store:     st,
		catalog:   opts.Catalog,
		fallback:  opts.FallbackLanguage,
		now:       opts.Now,
		onMissing: opts.OnMissing,
		log:       opts.Logger,
	}
	if s.catalog == nil {
		s.catalog = NewCatalog()
	}
	if s.fallback == language.Und {
		s.fallback = svc.DefaultLanguage()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	rt, err := newRouting(opts.Routes, opts.DefaultDepartment, "new task service")
	if err != nil {
		return nil, err
	}
	s.routing.Store(rt)
	return s, nil
}

// Catalog returns the message catalog.
func (s *Service) Catalog() *Catalog { return s.catalog }

// Generate creates a task: it validates in, routes it to a department
// (explicit, module rule, product type rule, default; never one that does
// not exist or is disabled), renders its title and body in that
// department's task language (as it is now: a later change of the language
// affects later tasks only) and stores it with status new, recording
// task.generate in the change log. It is called by the billing system, not
// by a staff member, so it checks no rights (the log names the system as
// the actor).
// Missing translations are reported through Options.OnMissing and the
// logger. Errors: rbac.ErrInvalid (bad input, a kind no language knows, a
// message argument missing), ErrNoDepartment (a *RouteError).
func (s *Service) Generate(ctx context.Context, in NewTask) (Task, error) {
	if err := in.Validate(); err != nil {
		return Task{}, err
	}
	d, via, err := s.route(ctx, &in)
	if err != nil {
		return Task{}, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	t := Task{
		Kind:       in.Kind,
		Operation:  in.Operation,
		Module:     in.Module,
		Service:    in.Service,
		Client:     in.Client,
		Department: d.ID,
		RoutedBy:   via,
		Status:     StatusNew,
		Args:       in.Args.clone(),
		CreatedAt:  now,
		UpdatedAt:  now,
	}
	txt, err := s.catalog.Render(languageOf(d, s.fallback), s.fallback, &t)
	if err != nil {
		return Task{}, err
	}
	t.Language, t.Title, t.Body = txt.Language, txt.Title, txt.Body
	t, err = s.write(ctx, rbac.SystemActor, OpGenerate, func(w *stage) error {
		if err := w.tx.CreateTask(&t); err != nil {
			return fmt.Errorf("generate task: %w", err)
		}
		w.task = t
		return nil
	})
	if err != nil {
		return Task{}, err
	}
	s.report(t, txt.Missing)
	return t, nil
}

// Render renders task t again in the language best matching tag (for a
// staff member reading another language than the department's), with the
// fallbacks of Catalog.Render, which are reported like Generate's. Errors:
// rbac.ErrInvalid (no language can render the task).
func (s *Service) Render(t Task, tag language.Tag) (Text, error) {
	txt, err := s.catalog.Render(tag, s.fallback, &t)
	if err != nil {
		return Text{}, err
	}
	s.report(t, txt.Missing)
	return txt, nil
}

func (s *Service) report(t Task, ms []Missing) {
	for _, m := range ms {
		s.log.Warn("billingrbac: task translation missing", "task", int64(t.ID), "key", m.Key.String(),
			"wanted", m.Wanted.String(), "used", m.Used.String(), "reason", m.Reason)
		if s.onMissing != nil {
			s.onMissing(t, m)
		}
	}
}
