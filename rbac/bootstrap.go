package rbac

import (
	"context"
	"errors"
	"fmt"
	"slices"

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
	// AdminSubject links the admin to the application's identity (see
	// ExternalSubject). Required under AccountOptions.SSOOnly, where the
	// admin gets no password.
	AdminSubject ExternalSubject
}

// BootstrapResult is what Bootstrap created or found.
type BootstrapResult struct {
	// Created is false when the database was already bootstrapped: then
	// nothing changed, AdminPassword is empty, and Admin, Sales and
	// Support are what the first Bootstrap created, as they are now (each
	// zero if it has since been deleted).
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
// Errors: ErrInvalid (a bad login or subject, a password the policy
// refuses, no AdminSubject under SSOOnly when creating), ErrConflict, ErrPasswordsDisabled (a
// password under SSOOnly).
func (s *Service) Bootstrap(ctx context.Context, opts BootstrapOptions) (BootstrapResult, error) {
	login := opts.AdminLogin
	if login == "" {
		login = "admin"
	}
	if s.acct.ssoOnly && opts.AdminPassword != "" {
		return BootstrapResult{}, fmt.Errorf("bootstrap: %w", ErrPasswordsDisabled)
	}
	var fe fieldErrors
	login = normalizeLogin(&fe, login)
	checkSubject(&fe, opts.AdminSubject)
	if opts.AdminPassword != "" {
		s.acct.policy.check(&fe, "admin_password", opts.AdminPassword, Staff{Login: login, FullName: Text(language.English, "Administrator")})
	}
	if err := fe.err("bootstrap"); err != nil {
		return BootstrapResult{}, err
	}
	// An installation bootstrapped before answers without hashing: the
	// common case of every start-up costs one log read.
	if found, ok, err := s.bootstrapped(ctx); err != nil || ok {
		return found, err
	}
	if s.acct.ssoOnly && opts.AdminSubject == "" {
		return BootstrapResult{}, (fieldErrors{{Field: "admin_subject", Rule: "required",
			Message: "must be set when passwords are off (SSOOnly): it is how the admin signs in"}}).err("bootstrap")
	}
	admin := Staff{Login: login, FullName: Text(language.English, "Administrator")}
	res := BootstrapResult{AdminPassword: opts.AdminPassword}
	if res.AdminPassword == "" && !s.acct.ssoOnly {
		pw, err := s.acct.policy.Generate(s.acct.gen, admin)
		if err != nil {
			return BootstrapResult{}, err
		}
		res.AdminPassword = pw
	}
	var hash string
	if res.AdminPassword != "" {
		var err error
		if hash, err = s.acct.hash(ctx, res.AdminPassword); err != nil {
			return BootstrapResult{}, err
		}
	}
	_, err := s.write(ctx, func(w *txn) error {
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
		res.Admin = Staff{Login: login, FullName: LocalizedText{language.English: "Administrator"}, FullAccess: true, Subject: opts.AdminSubject}
		if err := w.tx.CreateStaff(&res.Admin); err != nil {
			return fmt.Errorf("bootstrap: admin %q: %w", login, err)
		}
		if hash != "" {
			if err := w.tx.SetPasswordHash(res.Admin.ID, hash); err != nil {
				return err
			}
		}
		w.add(FlagRule(StaffSubject(res.Admin.ID), FlagFullAccess))
		w.record(SystemActor, OpBootstrap, StaffSubject(res.Admin.ID).String(), nil, res.Admin)
		return nil
	})
	if err != nil {
		return BootstrapResult{}, err
	}
	if !res.Created { // another instance bootstrapped meanwhile
		found, _, err := s.bootstrapped(ctx)
		return found, err
	}
	if opts.AdminPassword != "" {
		res.AdminPassword = ""
	}
	return res, nil
}

// bootstrapped reports whether the change log holds a bootstrap and, if so,
// what it created as it is now. The entry's rules say which: the admin is
// the staff member given full access, Sales the first department given
// permissions and Support the second, in the order Bootstrap writes them.
func (s *Service) bootstrapped(ctx context.Context) (BootstrapResult, bool, error) {
	done, err := s.store.Changes(ctx, ChangeQuery{Op: OpBootstrap, Limit: 1})
	if err != nil || len(done) == 0 {
		return BootstrapResult{}, false, err
	}
	var res BootstrapResult
	var depts []DepartmentID
	var admin StaffID
	for _, r := range done[0].Policy.Add {
		switch {
		case r.Kind == RuleFlag && r.Flag == FlagFullAccess && r.Subject.Staff != 0:
			admin = r.Subject.Staff
		case r.Kind == RuleGrant && r.Subject.Department != 0 && !slices.Contains(depts, r.Subject.Department):
			depts = append(depts, r.Subject.Department)
		}
	}
	if admin != 0 {
		if res.Admin, err = s.StaffMember(ctx, admin); err != nil && !errors.Is(err, ErrNotFound) {
			return BootstrapResult{}, true, err
		}
	}
	for i, d := range depts[:min(len(depts), 2)] {
		dep, err := s.Department(ctx, d)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return BootstrapResult{}, true, err
		}
		if i == 0 {
			res.Sales = dep
		} else {
			res.Support = dep
		}
	}
	return res, true, nil
}
