-- billingrbac schema version 11: temporary rules: direct grants and memberships with a window.
-- A temporary rule (rbac.Window) is kept out of casbin_rule, with the same
-- line values and its window in Unix nanoseconds (valid_from NULL: from
-- when it was given), so that a plain Casbin enforcer over casbin_rule
-- never grants it forever (see docs/temporary-access.md).
-- +goose Up
CREATE TABLE rbac_temporary_rules (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			ptype VARCHAR(100) NOT NULL,
			v0 VARCHAR(100) NOT NULL,
			v1 VARCHAR(100) NOT NULL,
			v2 VARCHAR(100) NOT NULL DEFAULT '',
			valid_from BIGINT,
			valid_until BIGINT NOT NULL);

CREATE UNIQUE INDEX rbac_temporary_rules_rule ON rbac_temporary_rules (ptype, v0, v1, v2);

CREATE INDEX rbac_temporary_rules_until ON rbac_temporary_rules (valid_until);

INSERT INTO billingrbac_schema (version, name, applied_at)
	VALUES (11, 'temporary rules: direct grants and memberships with a window', CAST(strftime('%s', 'now') AS BIGINT) * 1000000);
