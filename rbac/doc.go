// Package rbac is billingrbac's typed access-control API for a hosting
// billing system: departments, staff members, their permissions, and the
// decisions built from them.
//
// # Model
//
// A Permission is a billing Function (invoices, support, services, ...) and
// an Action inside it (view, edit, send, suspend, ...); a Catalog lists the
// grantable ones and the application may register its own. A Department
// holds permissions; a new one holds none. Staff members belong to any
// number of departments and hold the union of their permissions
// (inherited: shown, not editable on the person) plus direct grants of
// their own. Full access is a flag that allows everything, including
// functions registered later. A disabled staff member is denied
// everything; a disabled department grants nothing.
//
// The policy is stored as Casbin rules (see model.conf at the module root):
// Casbin is the reference, and the Service answers every check from a
// decision index derived from the same rules, kept equal to Casbin's
// answers by a randomized agreement test.
//
// # Basics
//
//	st, _ := store.Open(ctx, "")   // package store: SQLite or PostgreSQL
//	_ = st.Migrate(ctx)
//	svc, _ := rbac.New(ctx, st, rbac.Options{})
//	defer svc.Close()
//	boot, _ := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
//	john, _ := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{
//		Login: "john", FullName: rbac.Text(language.English, "John"),
//		Departments: []rbac.DepartmentID{boot.Sales.ID}})
//	_ = svc.Grant(ctx, boot.Admin.ID, john.ID, rbac.Perm(rbac.FuncInvoices, rbac.ActSend))
//	svc.Can(john.ID, rbac.Perm(rbac.FuncInvoices, rbac.ActSend)) // true
//
// Checks (Can, Check, Explain, EffectivePermissions, WhoCan, WhoCanCount,
// WhoCanPage, WhoCanIDs) are in-memory and lock-free: they read an
// immutable snapshot that each committed change replaces atomically,
// copying only what the change touched, at a grain that does not grow with
// the installation. "Who can" costs the answer (each permission keeps its
// holders as a compressed ID set), a count costs nothing, and a refused
// Check builds its explanation only when the error is read.
//
// # Changes
//
// Every administrative method takes the acting staff member explicitly and
// follows one flow: validate the input (every bad field reported at once,
// ErrInvalid); lock the store's version row; catch up with what other
// instances committed; check that the actor may use the operation at all
// (the departments function's rights for departments, the staff
// function's for staff); stage the change; compute its Effect; authorize
// the effect (ErrPermissionDenied); write domain rows, Casbin rules and a
// change log entry with the effect in one transaction; commit; then
// publish the decisions the effect was computed on. A failed call changes
// neither the database nor the decisions. Import creates departments and
// staff in bulk through the same flow, one change per batch.
//
// # Authorization by effect
//
// One check on the effect of the staged change decides for every
// operation, present and future. Its invariant: a change gives nobody a
// permission the actor does not hold, and gives the actor control of no
// account stronger than itself. In rules: every permission anyone gains,
// and every grant stored or removed, is held by the actor (full access
// holds everything); setting an account's sign-in (password, login,
// e-mail, phone, a new account, switching it back on) needs every
// permission the account holds, whatever its disabled flags say; anything
// of a full-access account is changed only by full access; nobody changes
// their own privileges; nobody is given both sides of a declared
// conflict of duties (DeclareConflict, ErrConflictOfDuties); the last
// active full-access account stays. Removing a second factor, changing a
// sign-in policy and clearing a sign-in lock are control of the accounts
// concerned. A
// refusal's *DeniedError names the account (Target), the permission
// (Missing) and whether control was the reason. WithDryRun runs any
// administrative call up to the commit and hands back the Plan: what an
// admin screen shows before the click.
//
// # Sign-in
//
// Authenticate (AuthenticateFrom with the client's address) checks the
// password with Argon2id in one bounded pool, counts failures in the
// database per login and address (back-off, locks: ErrSignInThrottled,
// refused before hashing), enforces the network allow-lists of the account
// and its departments (ErrAddressNotAllowed) and, when the account has a
// TOTP second factor or a policy requires one, answers a
// *SecondFactorError whose challenge AuthenticateSecondFactor takes with
// the code (EnrollTOTP, ConfirmTOTP, RemoveTOTP; SetSignInPolicy).
//
// # Several instances
//
// Staff, client (package clients) and task (package tasks) changes share
// one change flow: one version sequence, one change log (a hash chain),
// one listener per Service. On PostgreSQL each commit is announced with
// NOTIFY; every Service listens and applies the entries after its version
// to each domain's index, reloading only on a gap or when the database's
// log is not the one it applied; failed catch-ups are retried until they
// succeed and Options.SyncInterval adds a periodic one. Version reports
// what an instance has applied, WaitFor blocks until it has applied a
// given version (read-your-writes across instances), Lag says how long
// ago it last confirmed it was current, and Options.MaxStaleness makes its
// checks fail closed past a limit.
//
// # Errors
//
// Every error wraps one of the sentinels ErrNotFound, ErrConflict,
// ErrInvalid, ErrPermissionDenied, ErrInheritedPermission,
// ErrLastFullAccess or ErrClosed, or one of sign-in's (ErrBadCredentials,
// ErrAccountDisabled, ErrSecondFactorRequired, ErrBadSecondFactor,
// ErrChallengeExpired, ErrSignInThrottled, ErrAddressNotAllowed) or
// ErrConflictOfDuties; detail travels in *ValidationError, *DeniedError,
// *InheritedError, *SecondFactorError, *ThrottledError, *AddressError and
// *DutiesError.
//
// # Caveats
//
//   - Reads of staff and departments (StaffMember, Departments) combine the
//     store's rows with this instance's decisions, which may trail another
//     instance's commit by the propagation delay; use WaitFor when a request
//     must see a change made elsewhere.
//   - Writes are serialized through one row lock: they are meant for
//     administration, not for per-request traffic.
package rbac
