-- billingrbac schema version 7: one change log for every domain: domain, actor kind, hash chain.
-- rbac_changes becomes the one change log of every domain: each entry names
-- its domain, its actor's kind (a staff member, a client user or the system)
-- and its hash, chained to the entry before it. Client writes lock rbac_state
-- like every other write, so the client version row goes. Entries written
-- before this migration keep an empty hash: the chain starts after them.
-- +goose Up
ALTER TABLE rbac_changes ADD COLUMN domain TEXT NOT NULL DEFAULT 'staff';

ALTER TABLE rbac_changes ADD COLUMN actor_kind TEXT NOT NULL DEFAULT 'staff';

UPDATE rbac_changes SET actor_kind = 'system' WHERE actor = 0;

ALTER TABLE rbac_changes ADD COLUMN hash TEXT NOT NULL DEFAULT '';

DROP INDEX rbac_changes_actor;

CREATE INDEX rbac_changes_actor ON rbac_changes (actor_kind, actor, version);

CREATE INDEX rbac_changes_domain ON rbac_changes (domain, version);

DROP TABLE client_state;

INSERT INTO billingrbac_schema (version, name, applied_at)
	VALUES (7, 'one change log for every domain: domain, actor kind, hash chain', CAST(strftime('%s', 'now') AS BIGINT) * 1000000);
