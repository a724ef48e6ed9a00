-- billingrbac schema version 16: the policy guard (versions 14 and 15)
-- tells the library's writes from foreign ones without a mark of its own.
-- A library write is in progress exactly when the version row is ahead of
-- the change log's last entry: its lock statement incremented the row, and
-- the entry that ends the write is not appended yet. A write to the stored
-- policy while the two agree is counted as foreign. The two triggers that
-- raised and lowered the "writing" mark on every write (two more row
-- updates and trigger programs each time) and the mark itself are gone;
-- other connections still cannot see an uncommitted version row.
-- +goose Up
DROP TRIGGER billingrbac_policy_writing;
DROP TRIGGER billingrbac_policy_written;
DROP TRIGGER billingrbac_casbin_rule_foreign_insert;
DROP TRIGGER billingrbac_casbin_rule_foreign_update;
DROP TRIGGER billingrbac_casbin_rule_foreign_delete;
DROP TRIGGER billingrbac_temporary_rules_foreign_insert;
DROP TRIGGER billingrbac_temporary_rules_foreign_update;
DROP TRIGGER billingrbac_temporary_rules_foreign_delete;
ALTER TABLE billingrbac_policy_guard DROP COLUMN writing;

-- +goose StatementBegin
CREATE TRIGGER billingrbac_casbin_rule_foreign_insert AFTER INSERT ON billingrbac_casbin_rule WHEN (SELECT version FROM billingrbac_state WHERE id = 1) = (SELECT COALESCE(MAX(version), 0) FROM billingrbac_changes) BEGIN UPDATE billingrbac_policy_guard SET foreign_writes = foreign_writes + 1 WHERE id = 1; END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER billingrbac_casbin_rule_foreign_update AFTER UPDATE ON billingrbac_casbin_rule WHEN (SELECT version FROM billingrbac_state WHERE id = 1) = (SELECT COALESCE(MAX(version), 0) FROM billingrbac_changes) BEGIN UPDATE billingrbac_policy_guard SET foreign_writes = foreign_writes + 1 WHERE id = 1; END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER billingrbac_casbin_rule_foreign_delete AFTER DELETE ON billingrbac_casbin_rule WHEN (SELECT version FROM billingrbac_state WHERE id = 1) = (SELECT COALESCE(MAX(version), 0) FROM billingrbac_changes) BEGIN UPDATE billingrbac_policy_guard SET foreign_writes = foreign_writes + 1 WHERE id = 1; END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER billingrbac_temporary_rules_foreign_insert AFTER INSERT ON billingrbac_temporary_rules WHEN (SELECT version FROM billingrbac_state WHERE id = 1) = (SELECT COALESCE(MAX(version), 0) FROM billingrbac_changes) BEGIN UPDATE billingrbac_policy_guard SET foreign_writes = foreign_writes + 1 WHERE id = 1; END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER billingrbac_temporary_rules_foreign_update AFTER UPDATE ON billingrbac_temporary_rules WHEN (SELECT version FROM billingrbac_state WHERE id = 1) = (SELECT COALESCE(MAX(version), 0) FROM billingrbac_changes) BEGIN UPDATE billingrbac_policy_guard SET foreign_writes = foreign_writes + 1 WHERE id = 1; END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER billingrbac_temporary_rules_foreign_delete AFTER DELETE ON billingrbac_temporary_rules WHEN (SELECT version FROM billingrbac_state WHERE id = 1) = (SELECT COALESCE(MAX(version), 0) FROM billingrbac_changes) BEGIN UPDATE billingrbac_policy_guard SET foreign_writes = foreign_writes + 1 WHERE id = 1; END;
-- +goose StatementEnd

INSERT INTO billingrbac_schema (version, name, applied_at) VALUES
	(16, 'policy guard: a library write is recognized by its version row, no writing mark', CAST(strftime('%s', 'now') AS BIGINT) * 1000000);
