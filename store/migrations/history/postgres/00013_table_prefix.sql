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

ALTER INDEX idx_casbin_rule RENAME TO billingrbac_casbin_rule_unique;
ALTER INDEX client_roles_name RENAME TO billingrbac_client_roles_name;
ALTER INDEX client_users_client RENAME TO billingrbac_client_users_client;
ALTER INDEX client_users_first RENAME TO billingrbac_client_users_first;
ALTER INDEX client_users_login RENAME TO billingrbac_client_users_login;
ALTER INDEX department_hours_schedule RENAME TO billingrbac_department_hours_schedule;
ALTER INDEX duty_conflicts_depts RENAME TO billingrbac_duty_conflicts_depts;
ALTER INDEX duty_conflicts_perms RENAME TO billingrbac_duty_conflicts_perms;
ALTER INDEX rbac_changes_actor RENAME TO billingrbac_changes_actor;
ALTER INDEX rbac_changes_at RENAME TO billingrbac_changes_at;
ALTER INDEX rbac_changes_domain RENAME TO billingrbac_changes_domain;
ALTER INDEX rbac_changes_op RENAME TO billingrbac_changes_op;
ALTER INDEX rbac_changes_target RENAME TO billingrbac_changes_target;
ALTER INDEX rbac_temporary_rules_rule RENAME TO billingrbac_temporary_rules_rule;
ALTER INDEX rbac_temporary_rules_until RENAME TO billingrbac_temporary_rules_until;
ALTER INDEX schedules_name RENAME TO billingrbac_schedules_name;
ALTER INDEX signin_challenges_expiry RENAME TO billingrbac_signin_challenges_expiry;
ALTER INDEX signin_failures_last RENAME TO billingrbac_signin_failures_last;
ALTER INDEX signin_policies_department RENAME TO billingrbac_signin_policies_department;
ALTER INDEX signin_policies_staff RENAME TO billingrbac_signin_policies_staff;
ALTER INDEX staff_email RENAME TO billingrbac_staff_email;
ALTER INDEX staff_email_ci RENAME TO billingrbac_staff_email_ci;
ALTER INDEX staff_login RENAME TO billingrbac_staff_login;
ALTER INDEX staff_subject RENAME TO billingrbac_staff_subject;
ALTER INDEX tasks_department RENAME TO billingrbac_tasks_department;
ALTER INDEX tasks_department_status RENAME TO billingrbac_tasks_department_status;
ALTER INDEX tasks_performer RENAME TO billingrbac_tasks_performer;
ALTER INDEX tasks_status RENAME TO billingrbac_tasks_status;

ALTER TABLE billingrbac_casbin_rule RENAME CONSTRAINT casbin_rule_pkey TO billingrbac_casbin_rule_pkey;
ALTER TABLE billingrbac_client_roles RENAME CONSTRAINT client_roles_client_id_fkey TO billingrbac_client_roles_client_id_fkey;
ALTER TABLE billingrbac_client_roles RENAME CONSTRAINT client_roles_pkey TO billingrbac_client_roles_pkey;
ALTER TABLE billingrbac_client_users RENAME CONSTRAINT client_users_client_id_fkey TO billingrbac_client_users_client_id_fkey;
ALTER TABLE billingrbac_client_users RENAME CONSTRAINT client_users_pkey TO billingrbac_client_users_pkey;
ALTER TABLE billingrbac_clients RENAME CONSTRAINT clients_pkey TO billingrbac_clients_pkey;
ALTER TABLE billingrbac_department_hours RENAME CONSTRAINT department_hours_pkey TO billingrbac_department_hours_pkey;
ALTER TABLE billingrbac_departments RENAME CONSTRAINT departments_pkey TO billingrbac_departments_pkey;
ALTER TABLE billingrbac_duty_conflicts RENAME CONSTRAINT duty_conflicts_check TO billingrbac_duty_conflicts_check;
ALTER TABLE billingrbac_duty_conflicts RENAME CONSTRAINT duty_conflicts_dept_a_fkey TO billingrbac_duty_conflicts_dept_a_fkey;
ALTER TABLE billingrbac_duty_conflicts RENAME CONSTRAINT duty_conflicts_dept_b_fkey TO billingrbac_duty_conflicts_dept_b_fkey;
ALTER TABLE billingrbac_duty_conflicts RENAME CONSTRAINT duty_conflicts_pkey TO billingrbac_duty_conflicts_pkey;
ALTER TABLE billingrbac_changes RENAME CONSTRAINT rbac_changes_pkey TO billingrbac_changes_pkey;
ALTER TABLE billingrbac_state RENAME CONSTRAINT rbac_state_pkey TO billingrbac_state_pkey;
ALTER TABLE billingrbac_temporary_rules RENAME CONSTRAINT rbac_temporary_rules_pkey TO billingrbac_temporary_rules_pkey;
ALTER TABLE billingrbac_schedules RENAME CONSTRAINT schedules_pkey TO billingrbac_schedules_pkey;
ALTER TABLE billingrbac_signin_challenges RENAME CONSTRAINT signin_challenges_pkey TO billingrbac_signin_challenges_pkey;
ALTER TABLE billingrbac_signin_challenges RENAME CONSTRAINT signin_challenges_staff_id_fkey TO billingrbac_signin_challenges_staff_id_fkey;
ALTER TABLE billingrbac_signin_failures RENAME CONSTRAINT signin_failures_pkey TO billingrbac_signin_failures_pkey;
ALTER TABLE billingrbac_signin_policies RENAME CONSTRAINT signin_policies_department_id_fkey TO billingrbac_signin_policies_department_id_fkey;
ALTER TABLE billingrbac_signin_policies RENAME CONSTRAINT signin_policies_pkey TO billingrbac_signin_policies_pkey;
ALTER TABLE billingrbac_signin_policies RENAME CONSTRAINT signin_policies_staff_id_fkey TO billingrbac_signin_policies_staff_id_fkey;
ALTER TABLE billingrbac_staff RENAME CONSTRAINT staff_pkey TO billingrbac_staff_pkey;
ALTER TABLE billingrbac_staff_avatars RENAME CONSTRAINT staff_avatars_pkey TO billingrbac_staff_avatars_pkey;
ALTER TABLE billingrbac_staff_avatars RENAME CONSTRAINT staff_avatars_staff_id_fkey TO billingrbac_staff_avatars_staff_id_fkey;
ALTER TABLE billingrbac_staff_recovery_codes RENAME CONSTRAINT staff_recovery_codes_pkey TO billingrbac_staff_recovery_codes_pkey;
ALTER TABLE billingrbac_staff_recovery_codes RENAME CONSTRAINT staff_recovery_codes_staff_id_fkey TO billingrbac_staff_recovery_codes_staff_id_fkey;
ALTER TABLE billingrbac_staff_totp RENAME CONSTRAINT staff_totp_pkey TO billingrbac_staff_totp_pkey;
ALTER TABLE billingrbac_staff_totp RENAME CONSTRAINT staff_totp_staff_id_fkey TO billingrbac_staff_totp_staff_id_fkey;
ALTER TABLE billingrbac_tasks RENAME CONSTRAINT tasks_pkey TO billingrbac_tasks_pkey;

ALTER SEQUENCE casbin_rule_id_seq RENAME TO billingrbac_casbin_rule_id_seq;
ALTER SEQUENCE client_roles_id_seq RENAME TO billingrbac_client_roles_id_seq;
ALTER SEQUENCE client_users_id_seq RENAME TO billingrbac_client_users_id_seq;
ALTER SEQUENCE clients_id_seq RENAME TO billingrbac_clients_id_seq;
ALTER SEQUENCE departments_id_seq RENAME TO billingrbac_departments_id_seq;
ALTER SEQUENCE duty_conflicts_id_seq RENAME TO billingrbac_duty_conflicts_id_seq;
ALTER SEQUENCE rbac_temporary_rules_id_seq RENAME TO billingrbac_temporary_rules_id_seq;
ALTER SEQUENCE schedules_id_seq RENAME TO billingrbac_schedules_id_seq;
ALTER SEQUENCE signin_policies_id_seq RENAME TO billingrbac_signin_policies_id_seq;
ALTER SEQUENCE staff_id_seq RENAME TO billingrbac_staff_id_seq;
ALTER SEQUENCE tasks_id_seq RENAME TO billingrbac_tasks_id_seq;

INSERT INTO billingrbac_schema (version, name, applied_at)
	VALUES (13, 'one prefix for every library table: billingrbac_', CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000000 AS BIGINT));
