package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/admin"
	"github.com/billingrbac/billingrbac/rbac/httpauthz"
	"github.com/billingrbac/billingrbac/store"
)

// ExampleNew mounts the admin screens under /admin/access behind a guard
// that finds the signed-in staff member (here a header, in your
// application its sessions).
func ExampleNew() {
	ctx := context.Background()
	st, _ := store.Open(ctx, ":memory:")
	_ = st.Migrate(ctx)
	svc, _ := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	boot, _ := svc.Bootstrap(ctx, rbac.BootstrapOptions{})

	identify := func(r *http.Request) (rbac.StaffID, error) {
		h := r.Header.Get("X-Staff-ID") // your sign-in
		if h == "" {
			return 0, httpauthz.ErrNoIdentity
		}
		return rbac.ParseStaffID(h)
	}
	guard := httpauthz.New(httpauthz.Staff(svc, identify), httpauthz.Options{})
	mux := http.NewServeMux()
	mux.Handle("/admin/access/", guard.SignedIn(http.StripPrefix("/admin/access", admin.New(svc, admin.Options{}))))

	for _, who := range []rbac.StaffID{boot.Admin.ID, 0} {
		req := httptest.NewRequest("GET", "/admin/access/departments", nil)
		if who != 0 {
			req.Header.Set("X-Staff-ID", strconv.FormatInt(int64(who), 10))
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		fmt.Println(who, rec.Code, rec.Header().Get("Content-Type"))
	}
	// Output:
	// 1 200 text/html; charset=utf-8
	// 0 401 application/problem+json
}
