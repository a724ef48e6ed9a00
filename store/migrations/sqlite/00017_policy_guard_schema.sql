-- billingrbac schema version 17: on PostgreSQL the policy guard's trigger
-- function resolves its tables in its own schema whatever the writer's
-- search_path. A SQLite database has no schemas: nothing changes but the
-- version, so both dialects keep one version sequence.
-- +goose Up
INSERT INTO billingrbac_schema (version, name, applied_at) VALUES
	(17, 'policy guard: the trigger function reads its own schema whatever the writer''s search_path', CAST(strftime('%s', 'now') AS BIGINT) * 1000000);
