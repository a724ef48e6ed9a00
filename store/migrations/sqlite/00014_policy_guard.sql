-- billingrbac schema version 14: writes to the Casbin table outside the
-- library's change flow are counted, so every instance notices them,
-- logs them and reloads (rbac.ForeignWriteCounter). A library write
-- raises "writing" when it takes the version lock and lowers it when it
-- appends its change-log entry, the statement that ends it; a write to the
-- Casbin table while "writing" is 0 is someone else's. Other connections
-- cannot see an uncommitted "writing" = 1, and a rolled-back write
-- restores 0.
-- +goose Up
CREATE TABLE billingrbac_policy_guard (
	id INTEGER PRIMARY KEY,
	writing INTEGER NOT NULL DEFAULT 0,
	foreign_writes BIGINT NOT NULL DEFAULT 0);
INSERT INTO billingrbac_policy_guard (id, writing, foreign_writes) VALUES (1, 0, 0);

-- +goose StatementBegin
CREATE TRIGGER billingrbac_policy_writing AFTER UPDATE OF version ON billingrbac_state BEGIN UPDATE billingrbac_policy_guard SET writing = 1 WHERE id = 1; END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER billingrbac_policy_written AFTER INSERT ON billingrbac_changes BEGIN UPDATE billingrbac_policy_guard SET writing = 0 WHERE id = 1; END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER billingrbac_casbin_rule_foreign_insert AFTER INSERT ON billingrbac_casbin_rule WHEN (SELECT writing FROM billingrbac_policy_guard WHERE id = 1) = 0 BEGIN UPDATE billingrbac_policy_guard SET foreign_writes = foreign_writes + 1 WHERE id = 1; END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER billingrbac_casbin_rule_foreign_update AFTER UPDATE ON billingrbac_casbin_rule WHEN (SELECT writing FROM billingrbac_policy_guard WHERE id = 1) = 0 BEGIN UPDATE billingrbac_policy_guard SET foreign_writes = foreign_writes + 1 WHERE id = 1; END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER billingrbac_casbin_rule_foreign_delete AFTER DELETE ON billingrbac_casbin_rule WHEN (SELECT writing FROM billingrbac_policy_guard WHERE id = 1) = 0 BEGIN UPDATE billingrbac_policy_guard SET foreign_writes = foreign_writes + 1 WHERE id = 1; END;
-- +goose StatementEnd

INSERT INTO billingrbac_schema (version, name, applied_at) VALUES
	(14, 'policy guard: writes to the Casbin table outside the change flow counted', CAST(strftime('%s', 'now') AS BIGINT) * 1000000);
