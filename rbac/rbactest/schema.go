package rbactest

import (
	_ "embed"
	"slices"
)

//go:embed policytest.schema.json
var schema []byte

// SchemaURL is the $id of the JSON Schema of policy test files.
const SchemaURL = "https://github.com/billingrbac/billingrbac/rbac/rbactest/policytest.schema.json"

// Schema returns the JSON Schema (draft 2020-12) of policy test files, so
// editors validate and complete them: write it next to your files (or
// point to the module's copy, rbac/rbactest/policytest.schema.json) and
// start a file with
//
//	# yaml-language-server: $schema=policytest.schema.json
//
// The schema checks the shape; names (logins, departments, permissions,
// clients, roles) are checked against the fixture and the catalog when
// the file runs.
func Schema() []byte { return slices.Clone(schema) }
