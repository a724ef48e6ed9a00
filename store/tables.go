package store

// TablePrefix starts the name of every table, index, constraint and
// sequence the library creates (since schema version 9), so that it
// shares a database with an application's own tables: an application's
// clients, tasks, staff or casbin_rule, and its ORM's migrations, never
// meet the library's. It is fixed, so the migration files stay plain SQL
// for DBAs and goose; for full isolation on PostgreSQL give the library a
// schema of its own (Options.Schema). See docs/database.md.
const TablePrefix = "billingrbac_"

// The library's tables. Every statement and model names its table through
// these.
const (
	tableSchema          = TablePrefix + "schema" // migrations applied
	tableState           = TablePrefix + "state"  // the version row
	tableChanges         = TablePrefix + "changes"
	tableDepartments     = TablePrefix + "departments"
	tableStaff           = TablePrefix + "staff"
	tableStaffAvatars    = TablePrefix + "staff_avatars"
	tableCasbinRule      = CasbinRuleTable
	tableSchedules       = TablePrefix + "schedules"
	tableDepartmentHours = TablePrefix + "department_hours"
	tableTasks           = TablePrefix + "tasks"
	tableClients         = TablePrefix + "clients"
	tableClientUsers     = TablePrefix + "client_users"
	tableClientRoles     = TablePrefix + "client_roles"

	tableStaffTOTP          = TablePrefix + "staff_totp"
	tableStaffRecoveryCodes = TablePrefix + "staff_recovery_codes"
	tableSigninChallenges   = TablePrefix + "signin_challenges"
	tableSigninFailures     = TablePrefix + "signin_failures"
	tableSigninPolicies     = TablePrefix + "signin_policies"
	tableTemporaryRules     = TablePrefix + "temporary_rules"
	tableDutyConflicts      = TablePrefix + "duty_conflicts"
)

// CasbinRuleTable is the table holding the Casbin policy, in gorm-adapter's
// layout: an application that reads it with gorm-adapter names it, as in
// gormadapter.NewAdapterByDBUseTableName(db, "", store.CasbinRuleTable)
// (and turns the adapter's auto-migration off: the schema is the
// library's).
const CasbinRuleTable = TablePrefix + "casbin_rule"

// tablePolicyGuard counts writes to the Casbin table made outside the
// library's change flow (schema version 14).
const tablePolicyGuard = TablePrefix + "policy_guard"
