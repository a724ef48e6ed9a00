package clients_test

import (
	"sync"
	"testing"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac/clients"
)

// TestConcurrentChecksDuringWrites: checks run lock-free while writers
// change roles; every check sees one committed state (the user's role is
// either there or not, never another client's resource).
func TestConcurrentChecksDuringWrites(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	a, z := e.client("alice"), e.client("zed")
	owner := clients.ByUser(a.FirstUser)
	r := e.role(owner, a.ID, "Viewer", clients.Perm(clients.SectionServices, clients.View))
	bob := e.user(owner, a.ID, "bob")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if e.svc.Can(bob.ID, clients.View, svcOf(z.ID)) {
					t.Error("bob acted on zed's service")
					return
				}
				d := e.svc.Explain(bob.ID, clients.View, svcOf(a.ID))
				if d.Allowed != (len(d.Roles) == 1) {
					t.Errorf("inconsistent decision %s", d)
					return
				}
			}
		})
	}
	for i := range 20 {
		var err error
		if i%2 == 0 {
			err = e.svc.AssignRole(e.ctx, owner, bob.ID, r.ID)
		} else {
			err = e.svc.UnassignRole(e.ctx, owner, bob.ID, r.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if e.svc.Can(bob.ID, clients.View, svcOf(a.ID)) {
		t.Fatal("bob keeps the role after the last unassign")
	}
}
