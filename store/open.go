package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/billingrbac/billingrbac/rbac"
)

// DefaultSQLiteFile is the database file an empty DSN opens.
const DefaultSQLiteFile = "billingrbac.db"

// Store is the GORM implementation of rbac.Store. It is safe for concurrent
// use.
type Store struct {
	db      *gorm.DB
	dialect dialect
	dsn     string

	listenerName string
	listenerPing time.Duration
	channel      string // PostgreSQL notification channel
	schema       string // Options.Schema
	probeChannel string // tests only: where the listener's probe goes ("": channel)
	events       *slog.Logger
	// listenerHealth is the last probe's outcome (see ListenerHealth).
	listenerHealth atomic.Pointer[listenerHealth]

	// suspect is when (UnixNano) the store last saw a connection die; 0:
	// never. Pooled connections idle since then are pinged before reuse.
	suspect atomic.Int64
	// dutiesAt is the conflicts of duties as of the last committed write
	// (see Attempt).
	dutiesAt atomic.Pointer[dutiesAt]
	decoded  atomic.Pointer[decodedDuties] // the last conflicts of duties decoded (decodeDuties)
	// execFault, set by tests only, sends an optimistic statement in
	// place of execPgx (to lose its answer, or to fail before sending).
	execFault atomic.Pointer[func(send func() error) error]
}

var _ rbac.Store = (*Store)(nil)

type dialect int

const (
	dialectSQLite dialect = iota + 1
	dialectPostgres
)

// Options tunes Open. The zero value works.
type Options struct {
	// Logger receives GORM's SQL log; nil keeps it silent.
	Logger logger.Interface
	// Dialector, when set, is used instead of the one the DSN selects. It
	// lets tests wrap a real driver to inject failures.
	Dialector gorm.Dialector
	// ListenerName is the application_name of the PostgreSQL connection
	// that listens for other instances' changes; "" means
	// "billingrbac-listener".
	ListenerName string
	// ListenerPing is how long the listening connection may stay silent
	// before it is pinged, and how long the ping may take before the
	// connection is dropped and made again (a hung connection delivers
	// nothing and says nothing). Zero or negative means
	// DefaultListenerPing.
	ListenerPing time.Duration
	// EventLog receives the store's operational events: the listening
	// connection lost, failing to reconnect, back. Nil discards them.
	EventLog *slog.Logger
	// Schema, on PostgreSQL, is a schema of the library's own: every
	// connection of the store (the listener's too) has it alone as its
	// search_path, Migrate creates it when missing, and the notification
	// channel is named after it. "" keeps the connection's own
	// search_path (the DSN's). It must be a lower-case SQL identifier
	// (a-z, 0-9, _, at most 63 bytes); on SQLite it must be empty.
	// Anything else is refused with rbac.ErrInvalid (field "schema")
	// before anything is opened. See docs/database.md.
	Schema string
	// QueryTracer, on PostgreSQL, is told of every statement the store's
	// pooled connections send (pgx's tracing interface: an OpenTelemetry
	// tracer such as otelpgx's, a log, a test counting round trips). The
	// listening connection's are not traced. Nil traces nothing.
	QueryTracer pgx.QueryTracer
}

// Open opens a database without touching its schema (see Migrate).
//
//   - "" opens the embedded SQLite file DefaultSQLiteFile;
//   - ":memory:" opens a private in-memory SQLite database;
//   - "file:..." (a SQLite URI), "sqlite:PATH", "sqlite://PATH", or a path
//     ending in .db, .sqlite, .sqlite3 or .db3 opens that SQLite file;
//   - "postgres://...", "postgresql://..." or PostgreSQL's key=value form
//     ("host=db user=billing dbname=billing sslmode=require") opens
//     PostgreSQL.
//
// Any other DSN is refused with rbac.ErrInvalid (field "dsn", the error
// names the shape and never echoes the DSN) before anything is opened or
// created.
func Open(ctx context.Context, dsn string) (*Store, error) {
	return OpenWith(ctx, dsn, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dsn string, opts Options) (*Store, error) {
	s := &Store{dsn: dsn, listenerName: opts.ListenerName, listenerPing: opts.ListenerPing, events: opts.EventLog}
	if s.listenerName == "" {
		s.listenerName = "billingrbac-listener"
	}
	if s.listenerPing <= 0 {
		s.listenerPing = DefaultListenerPing
	}
	if s.events == nil {
		s.events = slog.New(slog.DiscardHandler)
	}
	be, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	if err := checkSchemaOption(opts.Schema, be.dialect); err != nil {
		return nil, err
	}
	s.dialect, s.schema = be.dialect, opts.Schema
	memory := be.memory
	var dial gorm.Dialector
	if be.dialect == dialectPostgres {
		dial = postgres.New(postgres.Config{DSN: be.dsn,
			OptionOpenDB: []stdlib.OptionOpenDB{stdlib.OptionShouldPing(s.shouldPing),
				stdlib.OptionBeforeConnect(func(_ context.Context, cfg *pgx.ConnConfig) error {
					s.inSchema(cfg)
					if opts.QueryTracer != nil {
						cfg.Tracer = opts.QueryTracer
					}
					return nil
				})}})
	} else {
		dial = sqlite.Open(sqliteDSN(be.dsn))
	}
	if opts.Dialector != nil {
		dial = opts.Dialector
	}
	lg := opts.Logger
	if lg == nil {
		lg = logger.Default.LogMode(logger.Silent)
	}
	db, err := gorm.Open(dial, &gorm.Config{
		Logger:                 lg,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	if memory {
		// Every connection to ":memory:" is a new database: keep one.
		sqlDB.SetMaxOpenConns(1)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("store: open: %w", err)
	}
	s.db = db
	if s.dialect == dialectPostgres && s.schema != "" {
		s.channel = channelFor(s.schema)
	} else if s.dialect == dialectPostgres {
		var schema string
		if err := db.WithContext(ctx).Raw(`SELECT COALESCE(current_schema(), '')`).Scan(&schema).Error; err != nil {
			_ = sqlDB.Close()
			return nil, fmt.Errorf("store: open: %w", err)
		}
		s.channel = channelFor(schema)
	}
	return s, nil
}

// sqliteDSN adds the pragmas the store relies on: WAL so readers never wait
// for the writer, a busy timeout instead of immediate SQLITE_BUSY, foreign
// keys, IMMEDIATE transactions so a writer takes its lock up front, and
// temp_store=MEMORY, which keeps the statement journals of a write's
// statements in small heap chunks (otherwise the pure-Go SQLite maps and
// unmaps 64 KiB for each statement that writes an existing page).
func sqliteDSN(path string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	prag := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate"
	if path != ":memory:" && !strings.Contains(path, "mode=memory") {
		prag += "&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=temp_store(2)"
	}
	return path + sep + prag
}

// DB returns the underlying GORM handle, for an application that keeps its
// own tables in the same database.
func (s *Store) DB() *gorm.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// IsPostgres reports whether the store is on PostgreSQL.
func (s *Store) IsPostgres() bool { return s.dialect == dialectPostgres }

var errSchema = errors.New("schema is not migrated")
