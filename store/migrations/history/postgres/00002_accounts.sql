-- billingrbac schema version 2: accounts: avatars, case-insensitive unique e-mail.
-- +goose Up
CREATE TABLE staff_avatars (
			staff_id BIGINT PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
			content_type TEXT NOT NULL,
			data BYTEA NOT NULL,
			updated_at BIGINT NOT NULL);

CREATE UNIQUE INDEX staff_email_ci ON staff (LOWER(email)) WHERE email <> '';

INSERT INTO billingrbac_schema (version, name, applied_at)
	VALUES (2, 'accounts: avatars, case-insensitive unique e-mail', CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000000 AS BIGINT));
