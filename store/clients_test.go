package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
	"github.com/billingrbac/billingrbac/store"
)

// clientsOn returns a client Service on st attached to a staff Service
// whose bootstrap admin (full access, staff 1) administers clients.
func clientsOn(t *testing.T, st *store.Store) (*clients.Service, *rbac.Service) {
	t.Helper()
	ctx := context.Background()
	staff, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: rbac.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = staff.Close() })
	if _, err := staff.Bootstrap(ctx, rbac.BootstrapOptions{}); err != nil {
		t.Fatal(err)
	}
	svc, err := clients.New(ctx, st.ClientStore(), staff, clients.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Close() })
	return svc, staff
}

type service struct {
	ID       int64
	ClientID int64
	Name     string
}

// TestClientScope applies list filters to a real application table.
func TestClientScope(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		st := testdb.New(t, b)
		svc, _ := clientsOn(t, st)
		admin := clients.ByStaff(1)
		var cs []clients.Client
		for _, login := range []string{"alice", "zed"} {
			c, err := svc.CreateClient(ctx, admin, clients.NewClient{Name: login, FirstUser: clients.NewUser{Login: login, Name: login}})
			if err != nil {
				t.Fatal(err)
			}
			cs = append(cs, c)
		}
		db := st.DB().WithContext(ctx)
		if err := db.Exec(`CREATE TABLE services (id BIGINT PRIMARY KEY, client_id BIGINT NOT NULL, name TEXT NOT NULL)`).Error; err != nil {
			t.Fatal(err)
		}
		rows := []service{{1, int64(cs[0].ID), "a1"}, {2, int64(cs[1].ID), "z1"}, {3, int64(cs[0].ID), "a2"}}
		if err := db.Create(&rows).Error; err != nil {
			t.Fatal(err)
		}
		bob, err := svc.CreateUser(ctx, admin, cs[0].ID, clients.NewUser{Login: "bob", Name: "Bob"})
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			f    clients.ListFilter
			want []int64
		}{
			{"alice's first user", svc.UserFilter(cs[0].FirstUser, clients.KindService), []int64{1, 3}},
			{"zed's first user", svc.UserFilter(cs[1].FirstUser, clients.KindService), []int64{2}},
			{"bob without roles", svc.UserFilter(bob.ID, clients.KindService), nil},
			{"staff with view", svc.StaffFilter(1, clients.KindService), []int64{1, 2, 3}},
			{"staff without", svc.StaffFilter(2, clients.KindService), nil},
		}
		for _, c := range cases {
			var got []service
			if err := db.Scopes(store.ClientScope(c.f, "client_id")).Order("id").Find(&got).Error; err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			var ids []int64
			for _, s := range got {
				ids = append(ids, s.ID)
			}
			if len(ids) != len(c.want) {
				t.Fatalf("%s: rows %v, want %v", c.name, ids, c.want)
			}
			for i := range ids {
				if ids[i] != c.want[i] {
					t.Fatalf("%s: rows %v, want %v", c.name, ids, c.want)
				}
			}
		}
	})
}

// TestClientInstances: two Services on one database. A write on one is
// seen by the other after Sync (of the rbac.Service it is attached to),
// and a write on a stale instance first catches up inside the lock, so it
// decides on current state.
func TestClientInstances(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		dsn := testdb.DSN(t, b)
		st1 := testdb.Open(t, dsn)
		if err := st1.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		st2 := testdb.Open(t, dsn)
		one, _ := clientsOn(t, st1)
		two, staffTwo := clientsOn(t, st2)
		if err := staffTwo.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		base := two.Version() // the bootstrap
		c, err := one.CreateClient(ctx, clients.ByStaff(1), clients.NewClient{Name: "A", FirstUser: clients.NewUser{Login: "alice", Name: "Alice"}})
		if err != nil {
			t.Fatal(err)
		}
		res := clients.Resource{Kind: clients.KindService, Owner: c.ID}
		if b == testdb.SQLite && two.Can(c.FirstUser, clients.View, res) {
			t.Fatal("instance two knew of the client before Sync")
		}
		if err := staffTwo.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if !two.Can(c.FirstUser, clients.View, res) || two.Version() != base+1 {
			t.Fatalf("after Sync: can=%v version=%d", two.Can(c.FirstUser, clients.View, res), two.Version())
		}
		if err := staffTwo.Sync(ctx); err != nil || two.Version() != base+1 {
			t.Fatalf("second Sync: %v, version %d", err, two.Version())
		}
		// one disables the client; two, stale, lets its first user act
		// until its next write catches up and refuses.
		off := rbac.StatusDisabled
		if _, err := one.UpdateClient(ctx, clients.ByStaff(1), c.ID, clients.ClientUpdate{Status: &off}); err != nil {
			t.Fatal(err)
		}
		_, err = two.CreateRole(ctx, clients.ByUser(c.FirstUser), c.ID, clients.NewRole{Name: "R"})
		if !errors.Is(err, rbac.ErrPermissionDenied) {
			t.Fatalf("stale instance let a disabled client's owner create a role: %v", err)
		}
		if two.Version() != base+2 || two.Can(c.FirstUser, clients.View, res) {
			t.Fatalf("after catch-up: version %d", two.Version())
		}
	})
}

func TestClientStoreErrors(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		st := testdb.New(t, b)
		cs := st.ClientStore()
		if _, err := cs.Client(ctx, 9); !errors.Is(err, rbac.ErrNotFound) {
			t.Fatalf("Client(9) = %v", err)
		}
		if _, err := cs.User(ctx, 9); !errors.Is(err, rbac.ErrNotFound) {
			t.Fatalf("User(9) = %v", err)
		}
		if _, err := cs.Role(ctx, 9); !errors.Is(err, rbac.ErrNotFound) {
			t.Fatalf("Role(9) = %v", err)
		}
		err := st.Update(ctx, func(stx rbac.Tx) error {
			tx, err := cs.ClientTx(stx)
			if err != nil {
				return err
			}
			c := clients.Client{Name: "A"}
			if err := tx.CreateClient(&c); err != nil {
				return err
			}
			u1 := clients.User{Client: c.ID, Login: "first", Name: "F", First: true}
			if err := tx.CreateUser(&u1); err != nil {
				return err
			}
			u2 := clients.User{Client: c.ID, Login: "second", Name: "S", First: true}
			return tx.CreateUser(&u2)
		})
		if !errors.Is(err, rbac.ErrConflict) {
			t.Fatalf("two first users: %v, want ErrConflict", err)
		}
		if n := testdb.Count(t, st.DB(), "billingrbac_clients"); n != 0 {
			t.Fatalf("rolled-back transaction left %d clients", n)
		}
		s, err := cs.Load(ctx)
		if err != nil || len(s.Clients) != 0 {
			t.Fatalf("Load = %+v, %v; want nothing", s, err)
		}
		other := testdb.New(t, b)
		_ = st.Update(ctx, func(stx rbac.Tx) error {
			if _, err := other.ClientStore().ClientTx(stx); !errors.Is(err, rbac.ErrInvalid) {
				t.Errorf("client transaction of another store: %v, want ErrInvalid", err)
			}
			return errors.New("rollback")
		})
	})
}

// ExampleClientScope restricts an application's own query to the rows a
// list filter allows.
func ExampleClientScope() {
	ctx := context.Background()
	st, _ := store.Open(ctx, ":memory:")
	defer st.Close()
	dry := st.DB().Session(&gorm.Session{DryRun: true})
	var rows []service
	for _, f := range []clients.ListFilter{
		{Kind: clients.KindService, Owner: 7},  // a client user who may view services
		{Kind: clients.KindService},            // one who may not
		{Kind: clients.KindService, All: true}, // staff holding services:view
	} {
		fmt.Println(dry.Scopes(store.ClientScope(f, "client_id")).Find(&rows).Statement.SQL.String())
	}
	// Output:
	// SELECT * FROM `services` WHERE `client_id` = ?
	// SELECT * FROM `services` WHERE 1 = 0
	// SELECT * FROM `services`
}

// TestClientConcurrentWriters: writers on two instances take turns on the
// version row; every change lands, versions have no gaps and both
// instances end with the same decisions.
func TestClientConcurrentWriters(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		dsn := testdb.DSN(t, b)
		st1 := testdb.Open(t, dsn)
		if err := st1.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		st2 := testdb.Open(t, dsn)
		var svcs []*clients.Service
		var staff []*rbac.Service
		for _, st := range []*store.Store{st1, st2} {
			s, sf := clientsOn(t, st)
			svcs, staff = append(svcs, s), append(staff, sf)
		}
		c, err := svcs[0].CreateClient(ctx, clients.ByStaff(1), clients.NewClient{Name: "A", FirstUser: clients.NewUser{Login: "alice", Name: "Alice"}})
		if err != nil {
			t.Fatal(err)
		}
		const perWriter = 8
		errs := make(chan error, 2*perWriter)
		done := make(chan struct{})
		for i, s := range svcs {
			go func() {
				defer func() { done <- struct{}{} }()
				for j := range perWriter {
					_, err := s.CreateUser(ctx, clients.ByStaff(1), c.ID, clients.NewUser{Login: fmt.Sprintf("u%d-%d", i, j), Name: "U"})
					errs <- err
				}
			}()
		}
		<-done
		<-done
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		for i, s := range svcs {
			if err := staff[i].Sync(ctx); err != nil {
				t.Fatal(err)
			}
			if s.Version() != 2+2*perWriter { // bootstrap, client, users
				t.Fatalf("version %d, want %d", s.Version(), 2+2*perWriter)
			}
			us, err := s.Users(ctx, c.ID)
			if err != nil || len(us) != 1+2*perWriter {
				t.Fatalf("users %d, %v", len(us), err)
			}
			for _, u := range us {
				if !u.First && s.Can(u.ID, clients.View, clients.Resource{Kind: clients.KindService, Owner: c.ID}) {
					t.Fatalf("user %s without roles may view", u.ID)
				}
				if u.First != (u.ID == c.FirstUser) {
					t.Fatalf("user %+v", u)
				}
			}
		}
	})
}
