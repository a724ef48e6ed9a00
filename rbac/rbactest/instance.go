package rbactest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
	"github.com/billingrbac/billingrbac/store"
)

// HashParams returns the Argon2id parameters the kit hashes fixture
// passwords with: 64 KiB of memory, one pass, one lane. They make a hash
// cost microseconds instead of the default's 19 MiB and tens of
// milliseconds; a test instance's passwords protect nothing. Build uses
// them unless rbac.Options.Accounts.HashParams says otherwise.
func HashParams() rbac.HashParams {
	return rbac.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Instance is a working billingrbac instance: the staff Service and the
// clients Service on one store, with the fixture's names resolved. Build
// makes one on a private in-memory SQLite database from a Fixture; Attach
// wraps the services of an existing database.
type Instance struct {
	Service *rbac.Service
	Clients *clients.Service
	Store   *store.Store
	// Admin is the bootstrapped full-access account ("admin"), which
	// applied the fixture (0 for an attached database without one).
	Admin rbac.StaffID

	fixture  *Fixture     // nil for an attached database: no copies
	opts     rbac.Options // to build copies
	owned    bool         // Close closes the services and the store
	openCopy CopyStore    // nil: copies on in-memory SQLite
	cleanup  func()       // run by Close after the store is closed
	staff    map[string]rbac.StaffID
	logins   map[rbac.StaffID]string
	depts    map[string]rbac.DepartmentID
	names    map[rbac.DepartmentID]string
	clientID map[string]clients.ClientID
	client   map[clients.ClientID]string
	users    map[string]clients.ClientUserID
	roles    map[clients.ClientID]map[string]clients.RoleID
	roleName map[clients.RoleID]string
	userOf   map[clients.ClientUserID]clients.ClientID
}

// New builds an instance from f and closes it when the test ends. It
// stops the test (Fatalf) when the fixture cannot be applied.
func New(tb testing.TB, f Fixture) *Instance {
	tb.Helper()
	in, err := Build(context.Background(), f, rbac.Options{})
	if err != nil {
		tb.Fatalf("rbactest: %v", err)
		return nil
	}
	tb.Cleanup(func() { _ = in.Close() })
	return in
}

// Build builds an instance from f with the given service options (a
// Catalog with application functions, a DecisionLog...). The caller closes
// it. Zero opts.Accounts.HashParams means cheap test parameters (64 KiB,
// one pass), not the production defaults. Errors: the fixture's *rbac.ValidationError (rbac.ErrInvalid), or
// the rbac error of the change that failed, naming the fixture entry.
func Build(ctx context.Context, f Fixture, opts rbac.Options) (*Instance, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, ":memory:")
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		_ = st.Close()
		return nil, err
	}
	in, err := BuildOn(ctx, st, f, opts)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	in.owned = true
	return in, nil
}

// BuildOn applies f to a migrated, empty store (a PostgreSQL database
// for a scenario that must run there): it bootstraps it and makes every
// change of the fixture through the services, as the admin. The caller
// closes the instance and then the store. Errors: as Build's, and
// rbac.ErrConflict when the store is already bootstrapped.
func BuildOn(ctx context.Context, st *store.Store, f Fixture, opts rbac.Options) (*Instance, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if opts.Accounts.HashParams == (rbac.HashParams{}) {
		opts.Accounts.HashParams = HashParams()
	}
	svc, err := rbac.New(ctx, st, opts)
	if err != nil {
		return nil, err
	}
	cs, err := clients.New(ctx, st.ClientStore(), svc, clients.Options{})
	if err != nil {
		_ = svc.Close()
		return nil, err
	}
	in := &Instance{Service: svc, Clients: cs, Store: st, fixture: &f, opts: opts}
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err == nil && !boot.Created {
		err = fmt.Errorf("the database is already bootstrapped: %w", rbac.ErrConflict)
	}
	if err == nil {
		in.Admin = boot.Admin.ID
		err = in.apply(ctx, f)
	}
	if err == nil {
		err = in.load(ctx)
	}
	if err != nil {
		_ = closeClients(cs)
		_ = svc.Close()
		return nil, err
	}
	return in, nil
}

// Attach wraps the services of an existing database, resolving staff,
// departments, clients, client users and roles by name from it, for
// policy files run against a live database (read-only expectations
// only: administrative ones need a copy, which an attached database
// cannot make). Close does not close what Attach was given.
func Attach(ctx context.Context, st *store.Store, svc *rbac.Service, cs *clients.Service) (*Instance, error) {
	in := &Instance{Service: svc, Clients: cs, Store: st}
	if err := in.load(ctx); err != nil {
		return nil, err
	}
	in.Admin = in.staff["admin"]
	return in, nil
}

// copy builds a fresh instance from the same fixture, for an
// administrative expectation to change.
func (in *Instance) copy(ctx context.Context) (*Instance, error) {
	if in.fixture == nil {
		return nil, fmt.Errorf("rbactest: an attached database cannot be copied")
	}
	if in.openCopy == nil {
		return Build(ctx, *in.fixture, in.opts)
	}
	st, drop, err := in.openCopy(ctx)
	if err != nil {
		return nil, fmt.Errorf("rbactest: open a copy: %w", err)
	}
	cp, err := BuildOn(ctx, st, *in.fixture, in.opts)
	if err != nil {
		_ = st.Close()
		drop()
		return nil, err
	}
	cp.owned, cp.cleanup, cp.openCopy = true, drop, in.openCopy
	return cp, nil
}

// CopyStore opens a fresh, migrated, empty store for a copy of an
// instance (a new PostgreSQL schema, say) and returns the function that
// removes it after the copy's store is closed.
type CopyStore func(ctx context.Context) (*store.Store, func(), error)

// CopiesOn makes the copies administrative expectations run on from
// stores that open returns instead of in-memory SQLite databases, so they
// run on the same backend as the instance (BuildOn on PostgreSQL).
func (in *Instance) CopiesOn(open CopyStore) { in.openCopy = open }

// load resolves every name from the database.
func (in *Instance) load(ctx context.Context) error {
	in.staff, in.logins = map[string]rbac.StaffID{}, map[rbac.StaffID]string{}
	in.depts, in.names = map[string]rbac.DepartmentID{}, map[rbac.DepartmentID]string{}
	in.clientID, in.client = map[string]clients.ClientID{}, map[clients.ClientID]string{}
	in.users, in.roles = map[string]clients.ClientUserID{}, map[clients.ClientID]map[string]clients.RoleID{}
	in.roleName, in.userOf = map[clients.RoleID]string{}, map[clients.ClientUserID]clients.ClientID{}
	all, err := in.Service.StaffMembers(ctx)
	if err != nil {
		return err
	}
	for _, s := range all {
		in.staff[s.Login], in.logins[s.ID] = s.ID, s.Login
	}
	ds, err := in.Service.Departments(ctx)
	if err != nil {
		return err
	}
	for _, d := range ds {
		name := d.Name.In(language.English)
		in.depts[name], in.names[d.ID] = d.ID, name
	}
	if in.Clients == nil {
		return nil
	}
	cs, err := in.Clients.Clients(ctx)
	if err != nil {
		return err
	}
	for _, c := range cs {
		in.clientID[c.Name], in.client[c.ID] = c.ID, c.Name
		us, err := in.Clients.Users(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, u := range us {
			in.users[u.Login], in.userOf[u.ID] = u.ID, c.ID
		}
		rs, err := in.Clients.Roles(ctx, c.ID)
		if err != nil {
			return err
		}
		in.roles[c.ID] = map[string]clients.RoleID{}
		for _, r := range rs {
			in.roles[c.ID][r.Name], in.roleName[r.ID] = r.ID, r.Name
		}
	}
	return nil
}

// StaffID returns the ID of the staff member with login, or 0 (denied
// everything) when there is none.
func (in *Instance) StaffID(login string) rbac.StaffID { return in.staff[strings.ToLower(login)] }

// DepartmentID returns the ID of the department named name in English, or
// 0 when there is none.
func (in *Instance) DepartmentID(name string) rbac.DepartmentID { return in.depts[name] }

// ClientID returns the ID of the client account named name, or 0.
func (in *Instance) ClientID(name string) clients.ClientID { return in.clientID[name] }

// ClientUserID returns the ID of the client user with login, or 0.
func (in *Instance) ClientUserID(login string) clients.ClientUserID {
	return in.users[strings.ToLower(login)]
}

// RoleID returns the ID of client's role named name, or 0.
func (in *Instance) RoleID(client, name string) clients.RoleID {
	return in.roles[in.clientID[client]][name]
}

// Close closes the services and the database of a built instance; for an
// attached one it does nothing.
func (in *Instance) Close() error {
	if in.fixture == nil {
		return nil
	}
	err := closeClients(in.Clients)
	if serr := in.Service.Close(); err == nil {
		err = serr
	}
	if in.owned {
		if cerr := in.Store.Close(); err == nil {
			err = cerr
		}
	}
	if in.cleanup != nil {
		in.cleanup()
	}
	return err
}

// closeClients stops the clients Service when it has a Close method (it
// listens for other instances' changes).
func closeClients(cs *clients.Service) error {
	if c, ok := any(cs).(interface{ Close() error }); ok {
		return c.Close()
	}
	return nil
}
