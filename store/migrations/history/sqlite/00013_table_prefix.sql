-- billingrbac schema version 13: one prefix for every library table: billingrbac_.
-- The library shares the application's database: its tables, indexes,
-- constraints and sequences all move under the fixed prefix billingrbac_
-- (billingrbac_staff, billingrbac_casbin_rule, billingrbac_changes, ...), so
-- that an application's own tables (clients, tasks, staff, casbin_rule) and
-- its ORM's migrations never meet the library's. Rows, IDs and their
-- sequences move with the tables; nothing else changes.
-- +goose Up
ALTER TABLE rbac_state RENAME TO billingrbac_state;
ALTER TABLE departments RENAME TO billingrbac_departments;
ALTER TABLE staff RENAME TO billingrbac_staff;
ALTER TABLE casbin_rule RENAME TO billingrbac_casbin_rule;
ALTER TABLE rbac_changes RENAME TO billingrbac_changes;
ALTER TABLE staff_avatars RENAME TO billingrbac_staff_avatars;
ALTER TABLE schedules RENAME TO billingrbac_schedules;
ALTER TABLE department_hours RENAME TO billingrbac_department_hours;
ALTER TABLE tasks RENAME TO billingrbac_tasks;
ALTER TABLE clients RENAME TO billingrbac_clients;
ALTER TABLE client_users RENAME TO billingrbac_client_users;
ALTER TABLE client_roles RENAME TO billingrbac_client_roles;
ALTER TABLE staff_totp RENAME TO billingrbac_staff_totp;
ALTER TABLE staff_recovery_codes RENAME TO billingrbac_staff_recovery_codes;
ALTER TABLE signin_challenges RENAME TO billingrbac_signin_challenges;
ALTER TABLE signin_failures RENAME TO billingrbac_signin_failures;
ALTER TABLE signin_policies RENAME TO billingrbac_signin_policies;
ALTER TABLE duty_conflicts RENAME TO billingrbac_duty_conflicts;
ALTER TABLE rbac_temporary_rules RENAME TO billingrbac_temporary_rules;

-- SQLite cannot rename an index: each is made again under its new name.
DROP INDEX idx_casbin_rule;
CREATE UNIQUE INDEX billingrbac_casbin_rule_unique ON billingrbac_casbin_rule (ptype, v0, v1, v2, v3, v4, v5);
DROP INDEX client_roles_name;
CREATE UNIQUE INDEX billingrbac_client_roles_name ON billingrbac_client_roles (client_id, name);
DROP INDEX client_users_client;
CREATE INDEX billingrbac_client_users_client ON billingrbac_client_users (client_id, id);
DROP INDEX client_users_first;
CREATE UNIQUE INDEX billingrbac_client_users_first ON billingrbac_client_users (client_id) WHERE is_first;
DROP INDEX client_users_login;
CREATE UNIQUE INDEX billingrbac_client_users_login ON billingrbac_client_users (client_id, login);
DROP INDEX department_hours_schedule;
CREATE INDEX billingrbac_department_hours_schedule ON billingrbac_department_hours (schedule_id);
DROP INDEX duty_conflicts_depts;
CREATE UNIQUE INDEX billingrbac_duty_conflicts_depts ON billingrbac_duty_conflicts (dept_a, dept_b) WHERE dept_a IS NOT NULL;
DROP INDEX duty_conflicts_perms;
CREATE UNIQUE INDEX billingrbac_duty_conflicts_perms ON billingrbac_duty_conflicts (perm_a, perm_b) WHERE perm_a IS NOT NULL;
DROP INDEX rbac_changes_actor;
CREATE INDEX billingrbac_changes_actor ON billingrbac_changes (actor_kind, actor, version);
DROP INDEX rbac_changes_at;
CREATE INDEX billingrbac_changes_at ON billingrbac_changes (at);
DROP INDEX rbac_changes_domain;
CREATE INDEX billingrbac_changes_domain ON billingrbac_changes (domain, version);
DROP INDEX rbac_changes_op;
CREATE INDEX billingrbac_changes_op ON billingrbac_changes (op, version);
DROP INDEX rbac_changes_target;
CREATE INDEX billingrbac_changes_target ON billingrbac_changes (target, version);
DROP INDEX rbac_temporary_rules_rule;
CREATE UNIQUE INDEX billingrbac_temporary_rules_rule ON billingrbac_temporary_rules (ptype, v0, v1, v2);
DROP INDEX rbac_temporary_rules_until;
CREATE INDEX billingrbac_temporary_rules_until ON billingrbac_temporary_rules (valid_until);
DROP INDEX schedules_name;
CREATE UNIQUE INDEX billingrbac_schedules_name ON billingrbac_schedules (name);
DROP INDEX signin_challenges_expiry;
CREATE INDEX billingrbac_signin_challenges_expiry ON billingrbac_signin_challenges (expires_at);
DROP INDEX signin_failures_last;
CREATE INDEX billingrbac_signin_failures_last ON billingrbac_signin_failures (last_at);
DROP INDEX signin_policies_department;
CREATE UNIQUE INDEX billingrbac_signin_policies_department ON billingrbac_signin_policies (department_id) WHERE department_id IS NOT NULL;
DROP INDEX signin_policies_staff;
CREATE UNIQUE INDEX billingrbac_signin_policies_staff ON billingrbac_signin_policies (staff_id) WHERE staff_id IS NOT NULL;
DROP INDEX staff_email;
CREATE UNIQUE INDEX billingrbac_staff_email ON billingrbac_staff (email) WHERE email <> '';
DROP INDEX staff_email_ci;
CREATE UNIQUE INDEX billingrbac_staff_email_ci ON billingrbac_staff (LOWER(email)) WHERE email <> '';
DROP INDEX staff_login;
CREATE UNIQUE INDEX billingrbac_staff_login ON billingrbac_staff (login);
DROP INDEX staff_subject;
CREATE UNIQUE INDEX billingrbac_staff_subject ON billingrbac_staff (subject) WHERE subject <> '';
DROP INDEX tasks_department;
CREATE INDEX billingrbac_tasks_department ON billingrbac_tasks (department_id, id);
DROP INDEX tasks_department_status;
CREATE INDEX billingrbac_tasks_department_status ON billingrbac_tasks (department_id, status, id);
DROP INDEX tasks_performer;
CREATE INDEX billingrbac_tasks_performer ON billingrbac_tasks (performer, status);
DROP INDEX tasks_status;
CREATE INDEX billingrbac_tasks_status ON billingrbac_tasks (status, id);

INSERT INTO billingrbac_schema (version, name, applied_at)
	VALUES (13, 'one prefix for every library table: billingrbac_', CAST(strftime('%s', 'now') AS BIGINT) * 1000000);
