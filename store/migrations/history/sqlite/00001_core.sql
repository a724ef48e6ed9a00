-- billingrbac schema version 1: core: version, departments, staff, casbin_rule, change log.
-- The first statement creates the version table the library's runner also
-- creates before it reads it; every file ends by recording its version there,
-- so a database migrated by goose opens in the library.
-- +goose Up
CREATE TABLE IF NOT EXISTS billingrbac_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL);

CREATE TABLE rbac_state (id INTEGER PRIMARY KEY, version BIGINT NOT NULL);

INSERT INTO rbac_state (id, version) VALUES (1, 0);

CREATE TABLE departments (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			name TEXT NOT NULL,
			accepts_client_requests BOOLEAN NOT NULL DEFAULT FALSE,
			task_language TEXT NOT NULL,
			sort_order INTEGER NOT NULL DEFAULT 0,
			created_at BIGINT NOT NULL,
			updated_at BIGINT NOT NULL);

CREATE TABLE staff (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			login TEXT NOT NULL,
			full_name TEXT NOT NULL,
			email TEXT NOT NULL DEFAULT '',
			phone TEXT NOT NULL DEFAULT '',
			password_hash TEXT NOT NULL DEFAULT '',
			created_at BIGINT NOT NULL,
			updated_at BIGINT NOT NULL);

CREATE UNIQUE INDEX staff_login ON staff (login);

CREATE UNIQUE INDEX staff_email ON staff (email) WHERE email <> '';

CREATE TABLE casbin_rule (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			ptype VARCHAR(100), v0 VARCHAR(100), v1 VARCHAR(100), v2 VARCHAR(100),
			v3 VARCHAR(100), v4 VARCHAR(100), v5 VARCHAR(100));

CREATE UNIQUE INDEX idx_casbin_rule ON casbin_rule (ptype, v0, v1, v2, v3, v4, v5);

CREATE TABLE rbac_changes (
			version BIGINT PRIMARY KEY,
			at BIGINT NOT NULL,
			actor BIGINT NOT NULL,
			op TEXT NOT NULL,
			target TEXT NOT NULL,
			before_json TEXT NOT NULL,
			after_json TEXT NOT NULL,
			reason TEXT NOT NULL DEFAULT '',
			policy_json TEXT NOT NULL);

CREATE INDEX rbac_changes_actor ON rbac_changes (actor, version);

CREATE INDEX rbac_changes_target ON rbac_changes (target, version);

CREATE INDEX rbac_changes_op ON rbac_changes (op, version);

CREATE INDEX rbac_changes_at ON rbac_changes (at);

INSERT INTO billingrbac_schema (version, name, applied_at)
	VALUES (1, 'core: version, departments, staff, casbin_rule, change log', CAST(strftime('%s', 'now') AS BIGINT) * 1000000);
