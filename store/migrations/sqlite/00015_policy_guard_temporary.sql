-- billingrbac schema version 15: the policy guard (version 14) also counts
-- writes to the temporary rules, the other half of the stored policy, made
-- outside the library's change flow.
-- +goose Up
-- +goose StatementBegin
CREATE TRIGGER billingrbac_temporary_rules_foreign_insert AFTER INSERT ON billingrbac_temporary_rules WHEN (SELECT writing FROM billingrbac_policy_guard WHERE id = 1) = 0 BEGIN UPDATE billingrbac_policy_guard SET foreign_writes = foreign_writes + 1 WHERE id = 1; END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER billingrbac_temporary_rules_foreign_update AFTER UPDATE ON billingrbac_temporary_rules WHEN (SELECT writing FROM billingrbac_policy_guard WHERE id = 1) = 0 BEGIN UPDATE billingrbac_policy_guard SET foreign_writes = foreign_writes + 1 WHERE id = 1; END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER billingrbac_temporary_rules_foreign_delete AFTER DELETE ON billingrbac_temporary_rules WHEN (SELECT writing FROM billingrbac_policy_guard WHERE id = 1) = 0 BEGIN UPDATE billingrbac_policy_guard SET foreign_writes = foreign_writes + 1 WHERE id = 1; END;
-- +goose StatementEnd

INSERT INTO billingrbac_schema (version, name, applied_at) VALUES
	(15, 'policy guard: writes to the temporary rules outside the change flow counted too', CAST(strftime('%s', 'now') AS BIGINT) * 1000000);
