package rbac_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
)

// An admin screen listing who may view services, a page at a time: the
// count is read from the index, and each page costs its own size, however
// many hold the permission.
func ExampleService_WhoCanPage() {
	ctx := context.Background()
	svc, boot := open()
	defer svc.Close()
	for _, login := range []string{"ann", "bob", "eve"} {
		if _, err := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: login,
			FullName: rbac.Text(language.English, login), Departments: []rbac.DepartmentID{boot.Support.ID}}); err != nil {
			log.Fatal(err)
		}
	}
	view := rbac.Perm(rbac.FuncServices, rbac.ActView)
	fmt.Println("holders:", svc.WhoCanCount(view))
	for after := rbac.StaffID(0); ; {
		page := svc.WhoCanPage(view, after, 2)
		fmt.Println("page:", page)
		if len(page) < 2 {
			break
		}
		after = page[len(page)-1].Staff
	}
	for id := range svc.WhoCanIDs(view) {
		fmt.Print(id, " ")
	}
	fmt.Println()
	// Output:
	// holders: 4
	// page: [staff 1 ([full access]) staff 2 ([department 2])]
	// page: [staff 3 ([department 2]) staff 4 ([department 2])]
	// page: []
	// 1 2 3 4
}

// A refused Check costs about as much as Can; the explanation is built
// when the error is formatted or its Decision asked for.
func ExampleDeniedError_Decision() {
	svc, _ := open()
	defer svc.Close()
	err := svc.Check(999, rbac.Perm(rbac.FuncSupport, rbac.ActReply))
	fmt.Println(errors.Is(err, rbac.ErrPermissionDenied))
	fmt.Println(err)
	var de *rbac.DeniedError
	if errors.As(err, &de) {
		d, ok := de.Decision()
		fmt.Println(ok, d.Permission, d.WouldGrant, de.Code())
		fmt.Println(svc.Describe(context.Background(), d))
	}
	// Output:
	// true
	// check: permission denied: staff 999 may not support:reply: missing support:reply; held by department 2
	// true support:reply [2] missing_permission
	// staff member 999 may not support:reply: missing support:reply; held by department "Technical support"
}
