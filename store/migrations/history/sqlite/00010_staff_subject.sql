-- billingrbac schema version 10: staff: external subject.
-- A staff member can carry the embedding application's name for them (its
-- user ID or an OpenID Connect sub, see rbac.ExternalSubject): unique when
-- set, compared exactly, '' for none.
-- +goose Up
ALTER TABLE staff ADD COLUMN subject TEXT NOT NULL DEFAULT '';

CREATE UNIQUE INDEX staff_subject ON staff (subject) WHERE subject <> '';

INSERT INTO billingrbac_schema (version, name, applied_at)
	VALUES (10, 'staff: external subject', CAST(strftime('%s', 'now') AS BIGINT) * 1000000);
