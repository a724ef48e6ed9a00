-- billingrbac schema version 14: writes to the Casbin table outside the
-- library's change flow are counted, so every instance notices them,
-- logs them and reloads (rbac.ForeignWriteCounter). A library write
-- raises "writing" when it takes the version lock and lowers it when it
-- appends its change-log entry, the statement that ends it; a statement
-- on the Casbin table that sees "writing" = 0 is someone else's. Other
-- transactions cannot see an uncommitted "writing" = 1 (a foreign writer
-- waits for the library's commit on the guard row, then counts), and a
-- rolled-back write restores 0.
-- +goose Up
CREATE TABLE billingrbac_policy_guard (
	id INTEGER PRIMARY KEY,
	writing INTEGER NOT NULL DEFAULT 0,
	foreign_writes BIGINT NOT NULL DEFAULT 0);
INSERT INTO billingrbac_policy_guard (id, writing, foreign_writes) VALUES (1, 0, 0);

-- +goose StatementBegin
CREATE FUNCTION billingrbac_policy_writing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE billingrbac_policy_guard SET writing = TG_ARGV[0]::integer WHERE id = 1;
	RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION billingrbac_policy_foreign() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF (SELECT writing FROM billingrbac_policy_guard WHERE id = 1) = 0 THEN
		UPDATE billingrbac_policy_guard SET foreign_writes = foreign_writes + 1 WHERE id = 1;
	END IF;
	RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER billingrbac_policy_writing AFTER UPDATE OF version ON billingrbac_state
	FOR EACH STATEMENT EXECUTE FUNCTION billingrbac_policy_writing('1');
CREATE TRIGGER billingrbac_policy_written AFTER INSERT ON billingrbac_changes
	FOR EACH STATEMENT EXECUTE FUNCTION billingrbac_policy_writing('0');
CREATE TRIGGER billingrbac_casbin_rule_foreign AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON billingrbac_casbin_rule
	FOR EACH STATEMENT EXECUTE FUNCTION billingrbac_policy_foreign();

INSERT INTO billingrbac_schema (version, name, applied_at) VALUES
	(14, 'policy guard: writes to the Casbin table outside the change flow counted', CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000000 AS BIGINT));
