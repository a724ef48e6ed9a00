-- billingrbac schema version 13, the baseline: the whole schema at once.
-- A new database starts here. It creates what versions 1 to 13 made, one
-- change at a time, for databases migrated by earlier releases (the
-- library keeps those steps, in store/migrations/history, and runs them
-- for such a database; both roads end with the same schema, which a test
-- compares). Every table, index, constraint and sequence is named with the
-- prefix billingrbac_, so the library shares a database with the
-- application's own tables.
-- +goose Up
CREATE TABLE IF NOT EXISTS billingrbac_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL);

-- The version row: every write increments it first, which serializes writers
-- across processes and numbers the change log without gaps.
CREATE TABLE "billingrbac_state" (id INTEGER PRIMARY KEY, version BIGINT NOT NULL);
INSERT INTO billingrbac_state (id, version) VALUES (1, 0);

-- Departments; their permissions and members are Casbin rules.
CREATE TABLE "billingrbac_departments" (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			name TEXT NOT NULL,
			accepts_client_requests BOOLEAN NOT NULL DEFAULT FALSE,
			task_language TEXT NOT NULL,
			sort_order INTEGER NOT NULL DEFAULT 0,
			created_at BIGINT NOT NULL,
			updated_at BIGINT NOT NULL);

-- Staff members; e-mails are unique regardless of case. A staff member can
-- carry the embedding application's name for them (subject: its user ID or
-- an OpenID Connect sub, see rbac.ExternalSubject): unique when set,
-- compared exactly, '' for none.
CREATE TABLE "billingrbac_staff" (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			login TEXT NOT NULL,
			full_name TEXT NOT NULL,
			email TEXT NOT NULL DEFAULT '',
			phone TEXT NOT NULL DEFAULT '',
			password_hash TEXT NOT NULL DEFAULT '',
			created_at BIGINT NOT NULL,
			updated_at BIGINT NOT NULL, subject TEXT NOT NULL DEFAULT '');
CREATE UNIQUE INDEX billingrbac_staff_email ON billingrbac_staff (email) WHERE email <> '';
CREATE UNIQUE INDEX billingrbac_staff_email_ci ON billingrbac_staff (LOWER(email)) WHERE email <> '';
CREATE UNIQUE INDEX billingrbac_staff_login ON billingrbac_staff (login);
CREATE UNIQUE INDEX billingrbac_staff_subject ON billingrbac_staff (subject) WHERE subject <> '';

-- The Casbin policy, in gorm-adapter's layout (at most 6 fields of 100
-- characters). Client rules live here too under their own ptypes (p2, g3, g4).
CREATE TABLE "billingrbac_casbin_rule" (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			ptype VARCHAR(100), v0 VARCHAR(100), v1 VARCHAR(100), v2 VARCHAR(100),
			v3 VARCHAR(100), v4 VARCHAR(100), v5 VARCHAR(100));
CREATE UNIQUE INDEX billingrbac_casbin_rule_unique ON billingrbac_casbin_rule (ptype, v0, v1, v2, v3, v4, v5);

-- The one change log of every domain: each entry names its domain, its
-- actor's kind (staff, client user or system), its effect (who gained and
-- lost what) and its hash, chained to the entry before it.
CREATE TABLE "billingrbac_changes" (
			version BIGINT PRIMARY KEY,
			at BIGINT NOT NULL,
			actor BIGINT NOT NULL,
			op TEXT NOT NULL,
			target TEXT NOT NULL,
			before_json TEXT NOT NULL,
			after_json TEXT NOT NULL,
			reason TEXT NOT NULL DEFAULT '',
			policy_json TEXT NOT NULL, effect_json TEXT NOT NULL DEFAULT 'null', domain TEXT NOT NULL DEFAULT 'staff', actor_kind TEXT NOT NULL DEFAULT 'staff', hash TEXT NOT NULL DEFAULT '');
CREATE INDEX billingrbac_changes_actor ON billingrbac_changes (actor_kind, actor, version);
CREATE INDEX billingrbac_changes_at ON billingrbac_changes (at);
CREATE INDEX billingrbac_changes_domain ON billingrbac_changes (domain, version);
CREATE INDEX billingrbac_changes_op ON billingrbac_changes (op, version);
CREATE INDEX billingrbac_changes_target ON billingrbac_changes (target, version);

-- Staff avatars.
CREATE TABLE "billingrbac_staff_avatars" (
			staff_id BIGINT PRIMARY KEY REFERENCES "billingrbac_staff" (id) ON DELETE CASCADE,
			content_type TEXT NOT NULL,
			data BLOB NOT NULL,
			updated_at BIGINT NOT NULL);

-- Business-hours schedules (as JSON, the hours.Schedule form) and each
-- department's schedule and response target. A department without a row
-- uses the built-in 24/7 schedule (ID 0, never stored).
CREATE TABLE "billingrbac_schedules" (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			name TEXT NOT NULL,
			schedule_json TEXT NOT NULL,
			created_at BIGINT NOT NULL,
			updated_at BIGINT NOT NULL);
CREATE UNIQUE INDEX billingrbac_schedules_name ON billingrbac_schedules (name);

CREATE TABLE "billingrbac_department_hours" (
			department_id BIGINT PRIMARY KEY,
			schedule_id BIGINT NOT NULL,
			response_target_us BIGINT NOT NULL,
			updated_at BIGINT NOT NULL);
CREATE INDEX billingrbac_department_hours_schedule ON billingrbac_department_hours (schedule_id);

-- Tasks generated for departments.
CREATE TABLE "billingrbac_tasks" (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			kind TEXT NOT NULL,
			operation TEXT NOT NULL DEFAULT '',
			module TEXT NOT NULL DEFAULT '',
			service_id BIGINT NOT NULL DEFAULT 0,
			service_name TEXT NOT NULL,
			product_type TEXT NOT NULL DEFAULT '',
			tariff TEXT NOT NULL DEFAULT '',
			client_id BIGINT NOT NULL DEFAULT 0,
			client_name TEXT NOT NULL DEFAULT '',
			department_id BIGINT NOT NULL,
			routed_by TEXT NOT NULL,
			status TEXT NOT NULL,
			performer BIGINT NOT NULL DEFAULT 0,
			language TEXT NOT NULL,
			title TEXT NOT NULL,
			body TEXT NOT NULL,
			args_json TEXT NOT NULL,
			created_at BIGINT NOT NULL,
			updated_at BIGINT NOT NULL);
CREATE INDEX billingrbac_tasks_department ON billingrbac_tasks (department_id, id);
CREATE INDEX billingrbac_tasks_department_status ON billingrbac_tasks (department_id, status, id);
CREATE INDEX billingrbac_tasks_performer ON billingrbac_tasks (performer, status);
CREATE INDEX billingrbac_tasks_status ON billingrbac_tasks (status, id);

-- Client accounts, their users and roles. A client user's login is unique
-- within its account.
CREATE TABLE "billingrbac_clients" (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			name TEXT NOT NULL,
			email TEXT NOT NULL DEFAULT '',
			created_at BIGINT NOT NULL,
			updated_at BIGINT NOT NULL);

CREATE TABLE "billingrbac_client_users" (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			client_id BIGINT NOT NULL REFERENCES "billingrbac_clients" (id),
			login TEXT NOT NULL,
			name TEXT NOT NULL,
			email TEXT NOT NULL DEFAULT '',
			is_first BOOLEAN NOT NULL DEFAULT FALSE,
			created_at BIGINT NOT NULL,
			updated_at BIGINT NOT NULL);
CREATE INDEX billingrbac_client_users_client ON billingrbac_client_users (client_id, id);
CREATE UNIQUE INDEX billingrbac_client_users_first ON billingrbac_client_users (client_id) WHERE is_first;
CREATE UNIQUE INDEX billingrbac_client_users_login ON billingrbac_client_users (client_id, login);

CREATE TABLE "billingrbac_client_roles" (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			client_id BIGINT NOT NULL REFERENCES "billingrbac_clients" (id),
			name TEXT NOT NULL,
			created_at BIGINT NOT NULL,
			updated_at BIGINT NOT NULL);
CREATE UNIQUE INDEX billingrbac_client_roles_name ON billingrbac_client_roles (client_id, name);

-- What protects sign-in beyond the password (see docs/second-factor.md,
-- docs/throttling.md, docs/allowlists.md): TOTP secrets (sealed) and
-- their recovery codes (hashed), two-step sign-in challenges (hashed
-- tokens), failed sign-ins counted per login and source address, and the
-- sign-in policies (network allow-list, second factor required) of staff
-- members and departments.
CREATE TABLE "billingrbac_staff_totp" (
			staff_id BIGINT PRIMARY KEY REFERENCES "billingrbac_staff" (id) ON DELETE CASCADE,
			secret TEXT NOT NULL,
			confirmed BOOLEAN NOT NULL DEFAULT FALSE,
			last_step BIGINT NOT NULL DEFAULT 0,
			created_at BIGINT NOT NULL);

CREATE TABLE "billingrbac_staff_recovery_codes" (
			staff_id BIGINT NOT NULL REFERENCES "billingrbac_staff" (id) ON DELETE CASCADE,
			code_hash TEXT NOT NULL,
			PRIMARY KEY (staff_id, code_hash));

CREATE TABLE "billingrbac_signin_challenges" (
			token_hash TEXT PRIMARY KEY,
			staff_id BIGINT NOT NULL REFERENCES "billingrbac_staff" (id) ON DELETE CASCADE,
			login TEXT NOT NULL,
			address TEXT NOT NULL DEFAULT '',
			attempts INTEGER NOT NULL DEFAULT 0,
			expires_at BIGINT NOT NULL);
CREATE INDEX billingrbac_signin_challenges_expiry ON billingrbac_signin_challenges (expires_at);

CREATE TABLE "billingrbac_signin_failures" (
			throttle_key TEXT PRIMARY KEY,
			failures INTEGER NOT NULL,
			last_at BIGINT NOT NULL);
CREATE INDEX billingrbac_signin_failures_last ON billingrbac_signin_failures (last_at);

CREATE TABLE "billingrbac_signin_policies" (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			staff_id BIGINT REFERENCES "billingrbac_staff" (id) ON DELETE CASCADE,
			department_id BIGINT REFERENCES "billingrbac_departments" (id) ON DELETE CASCADE,
			require_second_factor BOOLEAN NOT NULL DEFAULT FALSE,
			networks TEXT NOT NULL DEFAULT '');
CREATE UNIQUE INDEX billingrbac_signin_policies_department ON billingrbac_signin_policies (department_id) WHERE department_id IS NOT NULL;
CREATE UNIQUE INDEX billingrbac_signin_policies_staff ON billingrbac_signin_policies (staff_id) WHERE staff_id IS NOT NULL;

-- A temporary rule (rbac.Window) is kept out of billingrbac_casbin_rule, with
-- the same line values and its window in Unix nanoseconds (valid_from NULL:
-- from when it was given), so that a plain Casbin enforcer over the casbin
-- table never grants it forever (see docs/temporary-access.md).
CREATE TABLE "billingrbac_temporary_rules" (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			ptype VARCHAR(100) NOT NULL,
			v0 VARCHAR(100) NOT NULL,
			v1 VARCHAR(100) NOT NULL,
			v2 VARCHAR(100) NOT NULL DEFAULT '',
			valid_from BIGINT,
			valid_until BIGINT NOT NULL);
CREATE UNIQUE INDEX billingrbac_temporary_rules_rule ON billingrbac_temporary_rules (ptype, v0, v1, v2);
CREATE INDEX billingrbac_temporary_rules_until ON billingrbac_temporary_rules (valid_until);

-- Separation of duties: pairs of permissions, or of departments, that no one
-- staff member may combine (see docs/duties.md); the effect check of every
-- change reads them inside the change's lock. A pair is stored in order; a
-- department pair goes with either department.
CREATE TABLE "billingrbac_duty_conflicts" (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			perm_a TEXT,
			perm_b TEXT,
			dept_a BIGINT REFERENCES "billingrbac_departments" (id) ON DELETE CASCADE,
			dept_b BIGINT REFERENCES "billingrbac_departments" (id) ON DELETE CASCADE,
			why TEXT NOT NULL DEFAULT '',
			created_at BIGINT NOT NULL,
			CHECK ((perm_a IS NOT NULL AND perm_b IS NOT NULL AND dept_a IS NULL AND dept_b IS NULL)
				OR (perm_a IS NULL AND perm_b IS NULL AND dept_a IS NOT NULL AND dept_b IS NOT NULL)));
CREATE UNIQUE INDEX billingrbac_duty_conflicts_depts ON billingrbac_duty_conflicts (dept_a, dept_b) WHERE dept_a IS NOT NULL;
CREATE UNIQUE INDEX billingrbac_duty_conflicts_perms ON billingrbac_duty_conflicts (perm_a, perm_b) WHERE perm_a IS NOT NULL;

-- The baseline records every version it sums up.
INSERT INTO billingrbac_schema (version, name, applied_at) VALUES
	(1, 'core: version, departments, staff, casbin_rule, change log', CAST(strftime('%s', 'now') AS BIGINT) * 1000000),
	(2, 'accounts: avatars, case-insensitive unique e-mail', CAST(strftime('%s', 'now') AS BIGINT) * 1000000),
	(3, 'hours: schedules, department hours', CAST(strftime('%s', 'now') AS BIGINT) * 1000000),
	(4, 'tasks: generated tasks for departments', CAST(strftime('%s', 'now') AS BIGINT) * 1000000),
	(5, 'clients: accounts, users, roles, client version', CAST(strftime('%s', 'now') AS BIGINT) * 1000000),
	(6, 'change log: the effect of each change', CAST(strftime('%s', 'now') AS BIGINT) * 1000000),
	(7, 'one change log for every domain: domain, actor kind, hash chain', CAST(strftime('%s', 'now') AS BIGINT) * 1000000),
	(8, 'clients: logins unique per client account', CAST(strftime('%s', 'now') AS BIGINT) * 1000000),
	(9, 'sign-in: second factor, throttling, sign-in policies', CAST(strftime('%s', 'now') AS BIGINT) * 1000000),
	(10, 'staff: external subject', CAST(strftime('%s', 'now') AS BIGINT) * 1000000),
	(11, 'temporary rules: direct grants and memberships with a window', CAST(strftime('%s', 'now') AS BIGINT) * 1000000),
	(12, 'separation of duties: declared conflicts', CAST(strftime('%s', 'now') AS BIGINT) * 1000000),
	(13, 'one prefix for every library table: billingrbac_', CAST(strftime('%s', 'now') AS BIGINT) * 1000000);
