-- billingrbac schema version 3: hours: schedules, department hours.
-- Business-hours schedules (as JSON, the hours.Schedule form) and each
-- department's schedule and response target. A department without a row
-- uses the built-in 24/7 schedule (ID 0, never stored).
-- +goose Up
CREATE TABLE schedules (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			name TEXT NOT NULL,
			schedule_json TEXT NOT NULL,
			created_at BIGINT NOT NULL,
			updated_at BIGINT NOT NULL);

CREATE UNIQUE INDEX schedules_name ON schedules (name);

CREATE TABLE department_hours (
			department_id BIGINT PRIMARY KEY,
			schedule_id BIGINT NOT NULL,
			response_target_us BIGINT NOT NULL,
			updated_at BIGINT NOT NULL);

CREATE INDEX department_hours_schedule ON department_hours (schedule_id);

INSERT INTO billingrbac_schema (version, name, applied_at)
	VALUES (3, 'hours: schedules, department hours', CAST(strftime('%s', 'now') AS BIGINT) * 1000000);
