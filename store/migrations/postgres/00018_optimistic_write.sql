-- billingrbac schema version 18: a write staged on the version an instance
-- holds is sent as one statement that increments the version row only if
-- the database is still at that version, with the same change hash and
-- conflicts of duties (store.Store.Attempt). When it is not, the statement
-- must end in an error, so that nothing it wrote is kept: its rules (the
-- policy guard's trigger would also count them as a foreign write) and
-- its change-log entry. billingrbac_stale raises that error, with its own
-- SQLSTATE (BR001), for the store to tell it from any other.
-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION billingrbac_stale() RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'billingrbac: the change log moved past the version this write was staged on' USING ERRCODE = 'BR001';
END;
$$;
-- +goose StatementEnd

INSERT INTO billingrbac_schema (version, name, applied_at) VALUES
	(18, 'optimistic writes: a stale one-statement write ends in an error of its own', CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000000 AS BIGINT));
