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
//	cs, _ := clients.New(ctx, st.ClientStore(), staff, clients.Options{}) // staff: the *rbac.Service
//	defer cs.Close()
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
// Every change is then authorized on its effect, by the staff domain's
// mechanism (rbac.Effect, the change log, rbac.WithDryRun): a change gives
// no client user a right the actor does not hold, and gives the actor
// control of no client user stronger than itself. A staff member holds a
// client right when it holds the right's staff counterparts
// (Service.StaffCounterparts: finance:view needs invoices:view and
// payments:view). Control is power: setting a client user's sign-in
// (creating it, its login or e-mail, the account's contact e-mail for its
// first user, switching it or its account back on) needs every right the
// user holds; so staff with clients:edit reset a client user's sign-in only
// when they could already do all that user can, and a first user's (or
// create an account) only with every counterpart or full access. The rules
// are listed in authorize.go; DeniedError names the user, the right and
// the counterpart missing.
//
// Caveats:
//   - Client rules live in billingrbac_casbin_rule under their own types (p2, g3, g4;
//     see model.conf), which the staff matcher and index never read: a
//     client cannot gain a staff permission, and client IDs are distinct
//     types accepted by no staff API.
//   - Client changes go through the change flow of the rbac.Service the
//     client Service is attached to (New takes it): one transaction
//     locking the one version row, a catch-up of every domain first (so a
//     staff actor is authorized against current staff state), an entry in
//     the one change log (domain "clients", the acting staff member or
//     client user, before and after, the rules), NOTIFY, commit, then the
//     index. Other instances apply client entries incrementally from the
//     log through the rbac.Service's listener: one LISTEN connection per
//     process for every domain. Version and WaitFor count the shared
//     sequence; Close detaches the Service.
package clients
