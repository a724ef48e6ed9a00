// Command rbacctl is the operator's tool for billingrbac staff access:
// departments, permissions, staff, membership, grants, passwords, the
// action log, the access review with its sign-off, and the whole
// configuration exported to and imported from YAML. It works on the
// embedded SQLite file (billingrbac.db in the current directory) or
// PostgreSQL.
//
//	rbacctl bootstrap                         # prints the admin's password once
//	export BILLINGRBAC_LOGIN=admin            # then a password prompt, or BILLINGRBAC_PASSWORD
//	rbacctl staff create --dept "Sales department" --name "John Smith" john
//	rbacctl grant john invoices:send
//	rbacctl check john invoices:send && echo allowed
//	rbacctl log --target staff:2
//	rbacctl config export > access.yaml
//	rbacctl migrations export --dialect postgres ./sql  # the schema as SQL files, for a DBA or goose
//
// Every command but migrate, bootstrap, migrations export and test signs in, and every change is
// made by the signed-in staff member, authorized by the library.
//
// Exit codes: 0 success (for check: allowed), 1 check denied, 2 usage
// error (bad command, flag, argument or input), 3 any other error (not
// found, sign-in failed, permission denied to the operator, database).
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
