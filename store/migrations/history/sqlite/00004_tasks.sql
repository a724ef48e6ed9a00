-- billingrbac schema version 4: tasks: generated tasks for departments.
-- +goose Up
CREATE TABLE tasks (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			kind TEXT NOT NULL,
			operation TEXT NOT NULL DEFAULT '',
			module TEXT NOT NULL DEFAULT '',
			service_id BIGINT NOT NULL DEFAULT 0,
			service_name TEXT NOT NULL,
			product_type TEXT NOT NULL DEFAULT '',
			tariff TEXT NOT NULL DEFAULT '',
			client_id BIGINT NOT NULL DEFAULT 0,
			client_name TEXT NOT NULL DEFAULT '',
			department_id BIGINT NOT NULL,
			routed_by TEXT NOT NULL,
			status TEXT NOT NULL,
			performer BIGINT NOT NULL DEFAULT 0,
			language TEXT NOT NULL,
			title TEXT NOT NULL,
			body TEXT NOT NULL,
			args_json TEXT NOT NULL,
			created_at BIGINT NOT NULL,
			updated_at BIGINT NOT NULL);

CREATE INDEX tasks_department ON tasks (department_id, id);

CREATE INDEX tasks_department_status ON tasks (department_id, status, id);

CREATE INDEX tasks_status ON tasks (status, id);

CREATE INDEX tasks_performer ON tasks (performer, status);

INSERT INTO billingrbac_schema (version, name, applied_at)
	VALUES (4, 'tasks: generated tasks for departments', CAST(strftime('%s', 'now') AS BIGINT) * 1000000);
