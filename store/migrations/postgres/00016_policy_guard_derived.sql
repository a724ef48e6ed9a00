-- billingrbac schema version 16: the policy guard (versions 14 and 15)
-- tells the library's writes from foreign ones without a mark of its own.
-- A library write's transaction starts by incrementing the version row,
-- so a statement on the stored policy is the library's exactly when its
-- transaction wrote that row: the row's xmin is the current transaction.
-- Anything else is counted as foreign. This holds whatever the order of
-- the statements after the lock, so a write may send its rules and its
-- change-log entry in one statement. The two triggers that raised and
-- lowered the "writing" mark on every write (two more trigger calls and
-- row updates each time) and the mark itself are gone; other
-- transactions still cannot see an uncommitted version row.
-- +goose Up
DROP TRIGGER billingrbac_policy_writing ON billingrbac_state;
DROP TRIGGER billingrbac_policy_written ON billingrbac_changes;
DROP FUNCTION billingrbac_policy_writing();
ALTER TABLE billingrbac_policy_guard DROP COLUMN writing;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION billingrbac_policy_foreign() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM billingrbac_state WHERE id = 1 AND xmin = pg_current_xact_id()::xid) THEN
		UPDATE billingrbac_policy_guard SET foreign_writes = foreign_writes + 1 WHERE id = 1;
	END IF;
	RETURN NULL;
END;
$$;
-- +goose StatementEnd

INSERT INTO billingrbac_schema (version, name, applied_at) VALUES
	(16, 'policy guard: a library write is recognized by its version row, no writing mark', CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000000 AS BIGINT));
