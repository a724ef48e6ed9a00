package rbac

import (
	"context"
	"fmt"

	"golang.org/x/text/language"
)

// BootstrapOptions configures Bootstrap. The zero value works.
type BootstrapOptions struct {
	// AdminLogin is the full-access account's login; "" means "admin".
	AdminLogin string
	// AdminPassword is the admin's password, checked against the password
	// policy; "" means generate one, which Bootstrap returns once. It is
	// hashed with the Service's AccountOptions.HashParams, like every
	// other password, so the admin's sign-in costs what everyone's does.
	AdminPassword string
}

// BootstrapResult is what Bootstrap created or found.
type BootstrapResult struct {
	// Created is false when the database was already bootstrapped: then
	// nothing changed and only Admin is set when the admin still exists.
	Created bool
	Admin   Staff
	// AdminPassword is the generated password, shown this once; empty when
	// one was given or nothing was created.
	AdminPassword string
	Sales         Department
	Support       Department
}

// The default departments' permissions, as in the product.
var (
	salesPermissions = []Permission{
		{FuncClients, ActView}, {FuncClients, ActAdd}, {FuncClients, ActEdit},
		{FuncServices, ActView}, {FuncServices, ActAdd}, {FuncServices, ActEdit},
		{FuncPayments, ActView}, {FuncPayments, ActAdd}, {FuncPayments, ActEdit},
		{FuncExpenses, ActView}, {FuncExpenses, ActAdd}, {FuncExpenses, ActEdit},
	}
	supportPermissions = []Permission{
		{FuncSupport, ActView}, {FuncSupport, ActReply}, {FuncSupport, ActAssign}, {FuncSupport, ActClose},
		{FuncServices, ActView}, {FuncServices, ActEdit}, {FuncServices, ActSuspend}, {FuncServices, ActResume},
		{FuncClients, ActView}, {FuncClients, ActEdit},
	}
)

// SalesPermissions returns what the default "Sales department" is given.
func SalesPermissions() []Permission { return append([]Permission(nil), salesPermissions...) }

// SupportPermissions returns what the default "Technical support" is given.
func SupportPermissions() []Permission { return append([]Permission(nil), supportPermissions...) }

// Bootstrap creates, in one transaction, the product's defaults: "Sales
// department" (clients, products/services, payments, expenses), "Technical
// support" (support center, products/services, clients; accepts client
// requests) and an admin with full access. It runs as the system actor and
// is idempotent: once a bootstrap is in the change log, it changes nothing.
// Errors: ErrInvalid (a bad login, or a password the policy refuses),
// ErrConflict.
func (s *Service) Bootstrap(ctx context.Context, opts BootstrapOptions) (BootstrapResult, error) {
	login := opts.AdminLogin
	if login == "" {
		login = "admin"
	}
	var fe fieldErrors
	login = normalizeLogin(&fe, login)
	if opts.AdminPassword != "" {
		s.acct.policy.check(&fe, "admin_password", opts.AdminPassword, Staff{Login: login, FullName: Text(language.English, "Administrator")})
	}
	if err := fe.err("bootstrap"); err != nil {
		return BootstrapResult{}, err
	}
	admin := Staff{Login: login, FullName: Text(language.English, "Administrator")}
	res := BootstrapResult{AdminPassword: opts.AdminPassword}
	if res.AdminPassword == "" {
		pw, err := s.acct.policy.Generate(s.acct.gen, admin)
		if err != nil {
			return BootstrapResult{}, err
		}
		res.AdminPassword = pw
	}
	hash, err := s.acct.hash(ctx, res.AdminPassword)
	if err != nil {
		return BootstrapResult{}, err
	}
	_, err = s.write(ctx, func(w *txn) error {
		done, err := w.tx.Changes(ChangeQuery{Op: OpBootstrap, Limit: 1})
		if err != nil {
			return err
		}
		if len(done) > 0 {
			return nil
		}
		res.Created = true
		mk := func(en, ru string, accepts bool, order int, perms []Permission) (Department, error) {
			d := Department{Name: LocalizedText{language.English: en, language.Russian: ru},
				AcceptsClientRequests: accepts, TaskLanguage: s.lang, SortOrder: order}
			if err := w.tx.CreateDepartment(&d); err != nil {
				return d, fmt.Errorf("bootstrap: department %q: %w", en, err)
			}
			for _, p := range perms {
				w.add(GrantRule(DepartmentSubject(d.ID), p))
			}
			return d, nil
		}
		if res.Sales, err = mk("Sales department", "Отдел продаж", false, 10, salesPermissions); err != nil {
			return err
		}
		if res.Support, err = mk("Technical support", "Техническая поддержка", true, 20, supportPermissions); err != nil {
			return err
		}
		res.Admin = Staff{Login: login, FullName: LocalizedText{language.English: "Administrator"}, FullAccess: true}
		if err := w.tx.CreateStaff(&res.Admin); err != nil {
			return fmt.Errorf("bootstrap: admin %q: %w", login, err)
		}
		if err := w.tx.SetPasswordHash(res.Admin.ID, hash); err != nil {
			return err
		}
		w.add(FlagRule(StaffSubject(res.Admin.ID), FlagFullAccess))
		w.record(SystemActor, OpBootstrap, StaffSubject(res.Admin.ID).String(), nil, res.Admin)
		return nil
	})
	if err != nil {
		return BootstrapResult{}, err
	}
	if !res.Created {
		res = BootstrapResult{}
		if st, err := s.store.StaffByLogin(ctx, login); err == nil {
			fillStaff(s.snap.Load(), &st)
			res.Admin = st
		}
		return res, nil
	}
	if opts.AdminPassword != "" {
		res.AdminPassword = ""
	}
	return res, nil
}
