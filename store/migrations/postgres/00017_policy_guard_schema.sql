-- billingrbac schema version 17: the policy guard's trigger function
-- resolves its tables in the schema it was migrated in, not in the
-- search_path of the session that writes. A session of another
-- installation (another schema of the same database) that changed this
-- one's policy tables by their qualified names had the write counted in
-- its own installation's guard, or failed when its schema had none, and
-- this installation's instances never noticed it.
-- +goose Up
ALTER FUNCTION billingrbac_policy_foreign() SET search_path FROM CURRENT;

INSERT INTO billingrbac_schema (version, name, applied_at) VALUES
	(17, 'policy guard: the trigger function reads its own schema whatever the writer''s search_path', CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000000 AS BIGINT));
