-- billingrbac schema version 6: change log: the effect of each change.
-- Each change's effect (who gained and lost what) is recorded with it.
-- +goose Up
ALTER TABLE rbac_changes ADD COLUMN effect_json TEXT NOT NULL DEFAULT 'null';

INSERT INTO billingrbac_schema (version, name, applied_at)
	VALUES (6, 'change log: the effect of each change', CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000000 AS BIGINT));
