package rbac_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/netip"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// openAt is open with the clock at *now and sign-in options.
func openAt(now *time.Time, so rbac.SignInOptions) (*rbac.Service, rbac.BootstrapResult) {
	ctx := context.Background()
	st, err := store.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	svc, err := rbac.New(ctx, st, rbac.Options{Now: func() time.Time { return *now }, SignIn: so})
	if err != nil {
		log.Fatal(err)
	}
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil {
		log.Fatal(err)
	}
	return svc, boot
}

// Two-step sign-in: enrolment shows the secret once, a first code
// confirms it, then sign-in asks for a code after the password.
func ExampleService_AuthenticateSecondFactor() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	svc, boot := openAt(&now, rbac.SignInOptions{Issuer: "Hosting Co", SecretKey: make([]byte, 32)})
	defer svc.Close()
	kate, err := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "kate",
		FullName: rbac.Text(language.English, "Kate Bell"), Password: "plum-Orbit-7-lantern"})
	if err != nil {
		log.Fatal(err)
	}

	en, err := svc.EnrollTOTP(ctx, kate.ID, kate.ID) // show en.URI as en.QRCode
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasPrefix(en.URI, "otpauth://totp/Hosting%20Co:kate?"))
	code, _ := totpCode(en.Secret, now) // what the authenticator app shows
	recovery, err := svc.ConfirmTOTP(ctx, kate.ID, kate.ID, code)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(recovery), "recovery codes")

	now = now.Add(30 * time.Second) // the next code
	_, err = svc.Authenticate(ctx, "kate", "plum-Orbit-7-lantern")
	var step *rbac.SecondFactorError
	if !errors.As(err, &step) {
		log.Fatal(err)
	}
	fmt.Println(errors.Is(err, rbac.ErrSecondFactorRequired))
	code, _ = totpCode(en.Secret, now)
	st, err := svc.AuthenticateSecondFactor(ctx, step.Challenge, code)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed in:", st.Login)
	// Output:
	// true
	// 10 recovery codes
	// true
	// signed in: kate
}

// A department's allow-list: its members sign in only from its networks.
func ExampleService_SetSignInPolicy() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	svc, boot := openAt(&now, rbac.SignInOptions{})
	defer svc.Close()
	kate, err := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "kate",
		FullName: rbac.Text(language.English, "Kate Bell"), Password: "plum-Orbit-7-lantern",
		Departments: []rbac.DepartmentID{boot.Sales.ID}})
	if err != nil {
		log.Fatal(err)
	}
	err = svc.SetSignInPolicy(ctx, boot.Admin.ID, rbac.DepartmentSubject(boot.Sales.ID), rbac.SignInPolicy{
		Networks: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("2001:db8::/32")}})
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range []string{"203.0.113.7", "2001:db8::7", "198.51.100.7"} {
		_, err := svc.AuthenticateFrom(ctx, "kate", "plum-Orbit-7-lantern", netip.MustParseAddr(a))
		fmt.Println(a, err == nil, errors.Is(err, rbac.ErrAddressNotAllowed))
	}
	fmt.Println(svc.CheckAddress(ctx, kate.ID, netip.MustParseAddr("198.51.100.7")) != nil)
	// Output:
	// 203.0.113.7 true false
	// 2001:db8::7 true false
	// 198.51.100.7 false true
	// true
}

// Separation of duties: once declared, no change gives one person both.
func ExampleService_DeclareConflict() {
	ctx := context.Background()
	svc, boot := open()
	defer svc.Close()
	add, edit := rbac.Perm(rbac.FuncPayments, rbac.ActAdd), rbac.Perm(rbac.FuncInvoices, rbac.ActEdit)
	kate, err := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "kate", FullName: rbac.Text(language.English, "Kate")})
	if err != nil {
		log.Fatal(err)
	}
	if err := svc.Grant(ctx, boot.Admin.ID, kate.ID, edit); err != nil {
		log.Fatal(err)
	}
	err = svc.DeclareConflict(ctx, boot.Admin.ID, rbac.PermissionConflict(add, edit, "records payments and edits what they pay"))
	if err != nil {
		log.Fatal(err)
	}
	err = svc.Grant(ctx, boot.Admin.ID, kate.ID, add)
	fmt.Println(errors.Is(err, rbac.ErrConflictOfDuties))
	fmt.Println(svc.Can(kate.ID, add))
	// Output:
	// true
	// false
}
