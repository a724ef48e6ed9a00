package rbac

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/engine"
)

// Options configures a Service. The zero value works.
type Options struct {
	// Catalog lists the functions and actions that may be granted. Nil
	// means NewCatalog(): the built-in billing functions.
	Catalog *Catalog
	// DefaultLanguage is the fallback language of localized names and the
	// task language of departments created without one. Und means English.
	DefaultLanguage language.Tag
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives the few operational events (reloads, listener
	// reconnects). Nil discards them.
	Logger *slog.Logger
	// Accounts configures passwords, sign-in and phone numbers; the zero
	// value is the safe default.
	Accounts AccountOptions
	// SignIn configures the second factor, sign-in throttling and the
	// key that seals TOTP secrets; the zero value is the safe default.
	SignIn SignInOptions
	// DecisionLog, when set, receives a structured record of decisions
	// made by Can, Check and Explain (see decisionlog.go for the fields).
	// Nil, the default, logs nothing and costs one nil check.
	DecisionLog *slog.Logger
	// DecisionSampleRate is the fraction of decisions logged, in (0, 1]:
	// 0.01 logs one in a hundred, evenly spread. Zero means every
	// decision. Other values make New fail with ErrInvalid.
	DecisionSampleRate float64
	// SyncInterval is the period of the safety-net catch-up with the
	// change log, for notifications that never arrive (see
	// docs/instances.md). Zero means 5 seconds on a store that notifies
	// (PostgreSQL) and none on one that does not (SQLite); negative turns
	// it off.
	SyncInterval time.Duration
	// MaxStaleness, when positive, makes every check of this instance
	// (Can, Check, and those of the client domain) deny once the instance
	// has not confirmed for that long that it applied every committed
	// change: fail closed rather than answer from a state that may miss a
	// revocation. The periodic catch-up then runs at least every
	// MaxStaleness/2. Zero, the default, never fails checks for staleness
	// (see Lag).
	MaxStaleness time.Duration
	// CatchUpTimeout bounds one catch-up in the background, so that a
	// pooled connection that hangs (open, answering nothing) cannot stop
	// the later ones; it doubles while catch-ups time out (up to 5
	// minutes) so that a reload of a large policy still completes. Zero
	// means 10 seconds; negative values make New fail with ErrInvalid.
	CatchUpTimeout time.Duration
	// Telemetry connects the Service to OpenTelemetry (spans and
	// metrics); the zero value is off. See Telemetry.
	Telemetry Telemetry
}

// Service is the access-control service: it answers checks from an
// in-memory decision index and makes every administrative change through
// its Store, in one transaction per change. It is safe for concurrent use.
type Service struct {
	store   Store
	catalog *Catalog
	lang    language.Tag
	now     func() time.Time
	log     *slog.Logger
	acct    accounts
	sec     signIn          // second factor, throttling, sign-in policies
	cals    calendarCache   // compiled department calendars, per version
	dlog    *decisionLogger // nil: decision logging off
	tel     *telemetry      // nil: telemetry off

	snap atomic.Pointer[snapshot] // replaced by the engine only
	// foreignSeen is the store's count of foreign policy writes at the
	// last load (see ForeignWriteCounter).
	foreignSeen atomic.Int64
	eng         *engine.Engine // the change flow every domain shares
	scans       sync.Pool      // *scanTable: WhoCan's merge tables, reused
}

// New loads the policy from st and returns a ready Service. The schema must
// have been migrated (see store.Migrate).
func New(ctx context.Context, st Store, opts Options) (*Service, error) {
	s := &Service{
		store:   st,
		catalog: opts.Catalog,
		lang:    opts.DefaultLanguage,
		now:     opts.Now,
		log:     opts.Logger,
	}
	if s.catalog == nil {
		s.catalog = NewCatalog()
	}
	if s.lang == language.Und {
		s.lang = language.English
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if err := s.acct.init(opts.Accounts); err != nil {
		return nil, fmt.Errorf("rbac: %w", err)
	}
	if err := s.sec.init(opts.SignIn); err != nil {
		return nil, fmt.Errorf("rbac: %w", err)
	}
	dlog, err := newDecisionLogger(opts.DecisionLog, opts.DecisionSampleRate)
	if err != nil {
		return nil, fmt.Errorf("rbac: %w", err)
	}
	s.dlog = dlog
	if opts.SyncInterval < 0 && opts.MaxStaleness > 0 {
		return nil, fmt.Errorf("rbac: %w: MaxStaleness needs the periodic catch-up (SyncInterval >= 0)", ErrInvalid)
	}
	if opts.CatchUpTimeout < 0 {
		return nil, fmt.Errorf("rbac: %w: CatchUpTimeout must not be negative", ErrInvalid)
	}
	if opts.MaxStaleness < 0 {
		return nil, fmt.Errorf("rbac: %w: MaxStaleness must not be negative", ErrInvalid)
	}
	snap, err := loadStore(ctx, st, s.now)
	if err != nil {
		return nil, fmt.Errorf("rbac: load policy: %w", err)
	}
	s.snap.Store(snap)
	version := snap.version
	head := engine.Head{Version: version}
	if hs, ok := st.(LogHeadStore); ok && version > 0 {
		// The head's hash alone, without reading and decoding its change
		// (an import batch's holds thousands of members' effect).
		v, h, err := hs.LogHead(ctx)
		if err != nil {
			return nil, fmt.Errorf("rbac: load policy: %w", err)
		}
		if v == version {
			head.Hash = h
		}
	} else if version > 0 {
		// Read after the policy: a change committed in between shows as a
		// hash mismatch at the first catch-up, which then reloads.
		chs, err := st.Changes(ctx, ChangeQuery{AfterVersion: version - 1, Limit: 1})
		if err != nil {
			return nil, fmt.Errorf("rbac: load policy: %w", err)
		}
		if len(chs) == 1 && chs[0].Version == version {
			head.Hash = chs[0].Hash
		}
	}
	if s.tel, err = newTelemetry(opts.Telemetry, s); err != nil {
		return nil, fmt.Errorf("rbac: telemetry: %w", err)
	}
	eopts := engine.Options{Now: s.now, Logger: s.log, SyncInterval: opts.SyncInterval, MaxStaleness: opts.MaxStaleness,
		CatchUpTimeout: opts.CatchUpTimeout}
	if n := notifierOf(st); n != nil {
		eopts.Notifier = n
		if s.tel != nil {
			eopts.Notifier = &countingNotifier{Notifier: n, t: s.tel}
		}
	}
	if s.tel != nil {
		eopts.OnCatchUp = s.tel.onCatchUp
	}
	s.eng = engine.New(engineStore{st}, staffDomain{s}, head, eopts)
	s.eng.Start()
	return s, nil
}

// Catalog returns the catalog of grantable functions. Register application
// functions on it.
func (s *Service) Catalog() *Catalog { return s.catalog }

// DefaultLanguage returns the fallback language of localized texts.
func (s *Service) DefaultLanguage() language.Tag { return s.lang }

// Version returns the version of the last change (of any domain) applied
// to this instance.
func (s *Service) Version() int64 { return s.eng.Version() }

// Lag returns how long ago this instance last confirmed that it had
// applied every change committed to the database (by a catch-up, a
// notification or a write of its own). It grows between confirmations: up
// to Options.SyncInterval when nothing happens, longer when the database
// cannot be reached.
func (s *Service) Lag() time.Duration { return s.eng.Lag() }

// Close stops listening for other instances' changes, for this Service and
// the client and task services attached to it. Checks keep working on the
// last state; writes return ErrClosed. Close does not close the Store.
func (s *Service) Close() error {
	s.eng.Close()
	s.tel.close()
	return nil
}
