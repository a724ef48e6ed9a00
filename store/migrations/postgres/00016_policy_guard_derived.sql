-- billingrbac schema version 16: the policy guard (versions 14 and 15)
-- tells the library's writes from foreign ones without a mark of its own.
-- A library write is in progress exactly when the version row is ahead of
-- the change log's last entry: its lock statement incremented the row, and
-- the entry that ends the write is not appended yet. A statement on the
-- stored policy that sees the two agree is counted as foreign; both are
-- read by one query, so under one snapshot. The two triggers that raised
-- and lowered the "writing" mark on every write (two more trigger calls
-- and row updates each time) and the mark itself are gone; other
-- transactions still cannot see an uncommitted version row.
-- +goose Up
DROP TRIGGER billingrbac_policy_writing ON billingrbac_state;
DROP TRIGGER billingrbac_policy_written ON billingrbac_changes;
DROP FUNCTION billingrbac_policy_writing();
ALTER TABLE billingrbac_policy_guard DROP COLUMN writing;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION billingrbac_policy_foreign() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF (SELECT (SELECT version FROM billingrbac_state WHERE id = 1) = (SELECT COALESCE(MAX(version), 0) FROM billingrbac_changes)) THEN
		UPDATE billingrbac_policy_guard SET foreign_writes = foreign_writes + 1 WHERE id = 1;
	END IF;
	RETURN NULL;
END;
$$;
-- +goose StatementEnd

INSERT INTO billingrbac_schema (version, name, applied_at) VALUES
	(16, 'policy guard: a library write is the version row ahead of the change log, no writing mark', CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000000 AS BIGINT));
