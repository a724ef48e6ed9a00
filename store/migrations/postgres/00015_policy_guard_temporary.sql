-- billingrbac schema version 15: the policy guard (version 14) also counts
-- writes to the temporary rules, the other half of the stored policy, made
-- outside the library's change flow.
-- +goose Up
CREATE TRIGGER billingrbac_temporary_rules_foreign AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON billingrbac_temporary_rules
	FOR EACH STATEMENT EXECUTE FUNCTION billingrbac_policy_foreign();

INSERT INTO billingrbac_schema (version, name, applied_at) VALUES
	(15, 'policy guard: writes to the temporary rules outside the change flow counted too', CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000000 AS BIGINT));
