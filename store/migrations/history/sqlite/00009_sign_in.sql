-- billingrbac schema version 9: sign-in: second factor, throttling, sign-in policies.
-- What protects sign-in beyond the password (see docs/second-factor.md,
-- docs/throttling.md, docs/allowlists.md): TOTP secrets (sealed) and
-- their recovery codes (hashed), two-step sign-in challenges (hashed
-- tokens), failed sign-ins counted per login and source address, and the
-- sign-in policies (network allow-list, second factor required) of staff
-- members and departments.
-- +goose Up
CREATE TABLE staff_totp (
			staff_id BIGINT PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
			secret TEXT NOT NULL,
			confirmed BOOLEAN NOT NULL DEFAULT FALSE,
			last_step BIGINT NOT NULL DEFAULT 0,
			created_at BIGINT NOT NULL);

CREATE TABLE staff_recovery_codes (
			staff_id BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
			code_hash TEXT NOT NULL,
			PRIMARY KEY (staff_id, code_hash));

CREATE TABLE signin_challenges (
			token_hash TEXT PRIMARY KEY,
			staff_id BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
			login TEXT NOT NULL,
			address TEXT NOT NULL DEFAULT '',
			attempts INTEGER NOT NULL DEFAULT 0,
			expires_at BIGINT NOT NULL);

CREATE INDEX signin_challenges_expiry ON signin_challenges (expires_at);

CREATE TABLE signin_failures (
			throttle_key TEXT PRIMARY KEY,
			failures INTEGER NOT NULL,
			last_at BIGINT NOT NULL);

CREATE INDEX signin_failures_last ON signin_failures (last_at);

CREATE TABLE signin_policies (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			staff_id BIGINT REFERENCES staff (id) ON DELETE CASCADE,
			department_id BIGINT REFERENCES departments (id) ON DELETE CASCADE,
			require_second_factor BOOLEAN NOT NULL DEFAULT FALSE,
			networks TEXT NOT NULL DEFAULT '');

CREATE UNIQUE INDEX signin_policies_staff ON signin_policies (staff_id) WHERE staff_id IS NOT NULL;

CREATE UNIQUE INDEX signin_policies_department ON signin_policies (department_id) WHERE department_id IS NOT NULL;

INSERT INTO billingrbac_schema (version, name, applied_at)
	VALUES (9, 'sign-in: second factor, throttling, sign-in policies', CAST(strftime('%s', 'now') AS BIGINT) * 1000000);
