// Command rbacctl administers billingrbac staff access from the command
// line, against the embedded SQLite file (billingrbac.db in the current
// directory) or PostgreSQL.
//
//	go run ./examples/rbacctl --help
//	go run ./examples/rbacctl bootstrap
//	go run ./examples/rbacctl staff add --dept "Sales department" john
//	go run ./examples/rbacctl grant john invoices:send
//	go run ./examples/rbacctl check john invoices:send && echo allowed
//	go run ./examples/rbacctl matrix --format markdown
//
// Exit codes: 0 success (for check: allowed), 1 check denied, 2 usage
// error (bad command, flag, argument or input), 3 any other error (not
// found, permission denied to the acting staff member, database).
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
