-- billingrbac schema version 8: clients: logins unique per client account.
-- A client user's login becomes unique within its client account instead
-- of among all client users: with one namespace for every account, creating
-- a user told any client's first user which logins other accounts use
-- (ErrConflict). A client user is identified by account and login (see
-- docs/clients.md).
-- +goose Up
DROP INDEX client_users_login;

CREATE UNIQUE INDEX client_users_login ON client_users (client_id, login);

INSERT INTO billingrbac_schema (version, name, applied_at)
	VALUES (8, 'clients: logins unique per client account', CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000000 AS BIGINT));
