-- billingrbac schema version 18: on PostgreSQL a function that ends a
-- stale one-statement write in an error of its own. SQLite writes take
-- the lock (store.Store.Attempt): nothing changes but the version, so both
-- dialects keep one version sequence.
-- +goose Up
INSERT INTO billingrbac_schema (version, name, applied_at) VALUES
	(18, 'optimistic writes: a stale one-statement write ends in an error of its own', CAST(strftime('%s', 'now') AS BIGINT) * 1000000);
