package rbac_test

import (
	"context"
	"fmt"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// An installation whose staff sign in through the application's single
// sign-on: no passwords anywhere, the identity is the OIDC subject.
func ExampleService_AuthenticateSubject() {
	ctx := context.Background()
	st, _ := store.Open(ctx, ":memory:")
	defer st.Close()
	_ = st.Migrate(ctx)
	svc, _ := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{SSOOnly: true}})
	defer svc.Close()
	boot, _ := svc.Bootstrap(ctx, rbac.BootstrapOptions{AdminSubject: "google-oauth2|10769150350006150715113"})
	_, _ = svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "kate",
		FullName: rbac.Text(language.English, "Kate Bell"), Subject: "google-oauth2|20433118542099117113"})

	// The application verified an ID token; its "sub" claim names Kate.
	kate, err := svc.AuthenticateSubject(ctx, "google-oauth2|20433118542099117113")
	fmt.Println(kate.Login, err)
	_, err = svc.AuthenticateSubject(ctx, "google-oauth2|1")
	fmt.Println(err)
	_, err = svc.Authenticate(ctx, "kate", "any-password-at-all")
	fmt.Println(err)
	// Output:
	// kate <nil>
	// authenticate subject: not found
	// authenticate: passwords are disabled: this installation signs staff in by single sign-on
}
