// Package clients is the client side of billingrbac: client accounts, the
// users under them and the roles each client defines for its users, and
// the ownership checks that keep every client to what it owns.
//
// A client acts only on its own resources (services, invoices, payments,
// tickets, ...). The application owns those tables, so it passes the owner
// with every check:
//
//	res := clients.Resource{Kind: clients.KindService, ID: svcID, Owner: svcOwner}
//	if err := cs.Check(userID, clients.Modify, res); err != nil { ... } // ErrPermissionDenied
//
// A client user may act when the resource's owner is its own client,
// neither is disabled, and it is the client's first user (every right) or
// one of its roles switches the action on in the kind's section. Roles
// toggle view / add / modify / delete per section; a new role holds
// nothing; a user holds the union of its roles. Every decision is
// explained (Explain).
//
// Staff act on any client's resources through their staff permissions
// (StaffCan, e.g. services:suspend), answered by the rbac.Service. Lists
// are filtered by the application in its own queries with a ListFilter
// (store.ClientScope turns one into a GORM scope).
//
// Basics:
//
//	st, _ := store.Open(ctx, "")
//	_ = st.Migrate(ctx)
//	staff, _ := rbac.New(ctx, st, rbac.Options{})
//	cs, _ := clients.New(ctx, st.ClientStore(), staff, clients.Options{})
//	c, _ := cs.CreateClient(ctx, clients.ByStaff(admin), clients.NewClient{
//		Name: "Acme", FirstUser: clients.NewUser{Login: "acme", Name: "Ann"}})
//	owner := clients.ByUser(c.FirstUser)
//	r, _ := cs.CreateRole(ctx, owner, c.ID, clients.NewRole{Name: "Accountant"})
//	perms := []clients.Permission{clients.Perm(clients.SectionFinance, clients.View)}
//	_, _ = cs.UpdateRole(ctx, owner, r.ID, clients.RoleUpdate{Permissions: &perms})
//	u, _ := cs.CreateUser(ctx, owner, c.ID, clients.NewUser{Login: "bob", Name: "Bob", Roles: []clients.RoleID{r.ID}})
//
// Who administers: client accounts are created by staff holding
// clients:add and changed or disabled by staff holding clients:edit.
// Inside an account, users, roles and assignments are managed by the
// account's first user or by staff holding clients:edit. The first user
// cannot be deleted or given roles, and only staff may rename or disable
// it. A role of one client is never given to a user of another
// (ErrCrossClient).
//
// Caveats:
//   - Client rules live in casbin_rule under their own types (p2, g3, g4;
//     see model.conf), which the staff matcher and index never read: a
//     client cannot gain a staff permission, and client IDs are distinct
//     types accepted by no staff API.
//   - Client changes do not enter the staff change log. Each runs in one
//     transaction that locks the client version row; the index changes
//     after commit. Another instance sees them after its next write (which
//     catches up inside the lock) or after Sync, which costs one read of
//     the version row when nothing changed: instances sharing a database
//     call it periodically. There is no client change log, so Sync
//     reloads the whole client state when something did change.
package clients
