-- billingrbac schema version 5: clients: accounts, users, roles, client version.
-- Client accounts, their users and roles. Client policy rules live in
-- casbin_rule under their own ptypes (p2, g3, g4). client_state held a client
-- version of its own until migration 7 put client changes on the one change
-- log.
-- +goose Up
CREATE TABLE client_state (id INTEGER PRIMARY KEY, version BIGINT NOT NULL);

INSERT INTO client_state (id, version) VALUES (1, 0);

CREATE TABLE clients (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			name TEXT NOT NULL,
			email TEXT NOT NULL DEFAULT '',
			created_at BIGINT NOT NULL,
			updated_at BIGINT NOT NULL);

CREATE TABLE client_users (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			client_id BIGINT NOT NULL REFERENCES clients (id),
			login TEXT NOT NULL,
			name TEXT NOT NULL,
			email TEXT NOT NULL DEFAULT '',
			is_first BOOLEAN NOT NULL DEFAULT FALSE,
			created_at BIGINT NOT NULL,
			updated_at BIGINT NOT NULL);

CREATE UNIQUE INDEX client_users_login ON client_users (login);

CREATE UNIQUE INDEX client_users_first ON client_users (client_id) WHERE is_first;

CREATE INDEX client_users_client ON client_users (client_id, id);

CREATE TABLE client_roles (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			client_id BIGINT NOT NULL REFERENCES clients (id),
			name TEXT NOT NULL,
			created_at BIGINT NOT NULL,
			updated_at BIGINT NOT NULL);

CREATE UNIQUE INDEX client_roles_name ON client_roles (client_id, name);

INSERT INTO billingrbac_schema (version, name, applied_at)
	VALUES (5, 'clients: accounts, users, roles, client version', CAST(strftime('%s', 'now') AS BIGINT) * 1000000);
