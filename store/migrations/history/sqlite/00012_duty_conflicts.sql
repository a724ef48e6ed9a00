-- billingrbac schema version 12: separation of duties: declared conflicts.
-- Pairs of permissions, or of departments, that no one staff member may
-- combine (see docs/duties.md): the effect check of every change reads
-- them inside the change's lock. A pair is stored in order; a department
-- pair goes with either department.
-- +goose Up
CREATE TABLE duty_conflicts (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			perm_a TEXT,
			perm_b TEXT,
			dept_a BIGINT REFERENCES departments (id) ON DELETE CASCADE,
			dept_b BIGINT REFERENCES departments (id) ON DELETE CASCADE,
			why TEXT NOT NULL DEFAULT '',
			created_at BIGINT NOT NULL,
			CHECK ((perm_a IS NOT NULL AND perm_b IS NOT NULL AND dept_a IS NULL AND dept_b IS NULL)
				OR (perm_a IS NULL AND perm_b IS NULL AND dept_a IS NOT NULL AND dept_b IS NOT NULL)));

CREATE UNIQUE INDEX duty_conflicts_perms ON duty_conflicts (perm_a, perm_b) WHERE perm_a IS NOT NULL;

CREATE UNIQUE INDEX duty_conflicts_depts ON duty_conflicts (dept_a, dept_b) WHERE dept_a IS NOT NULL;

INSERT INTO billingrbac_schema (version, name, applied_at)
	VALUES (12, 'separation of duties: declared conflicts', CAST(strftime('%s', 'now') AS BIGINT) * 1000000);
