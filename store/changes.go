package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/rbac"
)

// NotifyChannel is the PostgreSQL channel commits are announced on when
// the tables live in the "public" schema; in another schema the channel is
// NotifyChannel + "_" + schema, so that applications sharing a database in
// different schemas do not wake each other (see Store.Channel).
const NotifyChannel = "billingrbac"

// channelFor names the notification channel of a schema, within
// PostgreSQL's 63-byte identifier limit.
func channelFor(schema string) string {
	if schema == "" || schema == "public" {
		return NotifyChannel
	}
	c := NotifyChannel + "_" + schema
	if len(c) > 63 {
		sum := sha256.Sum256([]byte(schema))
		c = NotifyChannel + "_" + hex.EncodeToString(sum[:8])
	}
	return c
}

// Channel returns the PostgreSQL channel this store announces commits on
// and listens to ("" on SQLite).
func (s *Store) Channel() string { return s.channel }

type changeRow struct {
	Version    int64 `gorm:"primaryKey;autoIncrement:false"`
	Domain     string
	At         int64
	ActorKind  string
	Actor      int64
	Op         string
	Target     string
	BeforeJSON string
	AfterJSON  string
	Reason     string
	PolicyJSON string
	EffectJSON string
	Hash       string
}

func (changeRow) TableName() string { return tableChanges }

func (r changeRow) change() (rbac.Change, error) {
	c := rbac.Change{
		Version: r.Version,
		Domain:  rbac.Domain(r.Domain),
		At:      fromMicros(r.At),
		Op:      rbac.Operation(r.Op),
		Target:  r.Target,
		Before:  json.RawMessage(r.BeforeJSON),
		After:   json.RawMessage(r.AfterJSON),
		Reason:  r.Reason,
		Rules:   json.RawMessage(r.PolicyJSON),
		Hash:    r.Hash,
	}
	switch r.ActorKind {
	case actorStaff:
		c.Actor = rbac.StaffID(r.Actor)
	case actorClientUser:
		c.ClientUser = r.Actor
	}
	if c.Domain == rbac.DomainStaff {
		if err := json.Unmarshal([]byte(r.PolicyJSON), &c.Policy); err != nil {
			return rbac.Change{}, fmt.Errorf("store: change %d: policy: %w", r.Version, err)
		}
	}
	if r.EffectJSON != "" && r.EffectJSON != "null" {
		if err := json.Unmarshal([]byte(r.EffectJSON), &c.Effect); err != nil {
			return rbac.Change{}, fmt.Errorf("store: change %d: effect: %w", r.Version, err)
		}
	}
	return c, nil
}

// Stored actor kinds.
const (
	actorSystem     = "system"
	actorStaff      = "staff"
	actorClientUser = "cuser"
)

func actorOf(c rbac.Change) (string, int64) {
	switch {
	case c.ClientUser != 0:
		return actorClientUser, c.ClientUser
	case c.Actor == rbac.SystemActor:
		return actorSystem, 0
	}
	return actorStaff, int64(c.Actor)
}

func (t *tx) RecordChange(c rbac.Change) error {
	if c.Version != t.version {
		return fmt.Errorf("store: record change %d in transaction of version %d", c.Version, t.version)
	}
	rules := []byte(c.Rules)
	if len(rules) == 0 {
		var err error
		if rules, err = json.Marshal(c.Policy); err != nil {
			return err
		}
	}
	eff, err := c.EncodedEffect()
	if err != nil {
		return err
	}
	orNull := func(b json.RawMessage) string {
		if len(b) == 0 {
			return "null"
		}
		return string(b)
	}
	domain := c.Domain
	if domain == "" {
		domain = rbac.DomainStaff
	}
	kind, actor := actorOf(c)
	args := []any{c.Version, string(domain), micros(c.At), kind, actor, string(c.Op), c.Target,
		orNull(c.Before), orNull(c.After), c.Reason, string(rules), string(eff), c.Hash}
	if t.s.dialect == dialectPostgres {
		// The rules ApplyPolicy deferred, the entry and its notification
		// in one statement (one round trip): the notification is
		// delivered to listeners only if and when the transaction
		// commits.
		var sb strings.Builder
		var ruleArgs []any
		sb.WriteString("WITH ")
		if t.guard != nil {
			q, a := staleCheck(t)
			sb.WriteString(q)
			ruleArgs = a
		}
		p := t.pending
		t.pending = pendingLines{}
		for i, l := range p.remove {
			fmt.Fprintf(&sb, "r%d AS (", i)
			ruleArgs = appendDelete(&sb, ruleArgs, l)
			sb.WriteString("), ")
		}
		if len(p.add) > 0 {
			sb.WriteString("a AS (")
			ruleArgs = appendInsert(&sb, ruleArgs, p.add)
			sb.WriteString("), ")
		}
		if t.guard != nil {
			// The entry only when the version row moved; otherwise
			// billingrbac_stale ends the statement, and with it
			// everything it wrote.
			sb.WriteString("c AS (" + insertChangeIfFresh + " RETURNING version), n AS (SELECT pg_notify(?, CAST(version AS text)) FROM c) " +
				"SELECT (SELECT count(*) FROM n) + CASE WHEN EXISTS (SELECT 1 FROM s) THEN 0 ELSE billingrbac_stale() END")
			t.commit, t.commitArgs, t.hash = sb.String(), append(append(ruleArgs, args[1:]...), t.s.channel), c.Hash
			return nil
		}
		sb.WriteString("c AS (" + insertChange + " RETURNING version) SELECT pg_notify(?, CAST(c.version AS text)) FROM c")
		all := append(append(ruleArgs, args...), t.s.channel)
		if err := t.db.Exec(sb.String(), all...).Error; err != nil {
			return mapErr(err)
		}
		return nil
	}
	return mapErr(t.db.Exec(insertChange, args...).Error)
}

// insertChange appends one change-log row (the columns of changeRow).
const insertChange = `INSERT INTO ` + tableChanges + ` (version, domain, at, actor_kind, actor, op, target,
	before_json, after_json, reason, policy_json, effect_json, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// insertChangeIfFresh is insertChange in Attempt's statement: the row, at
// the version the statement's version row increment (s) returned, or none.
const insertChangeIfFresh = `INSERT INTO ` + tableChanges + ` (version, domain, at, actor_kind, actor, op, target,
	before_json, after_json, reason, policy_json, effect_json, hash)
	SELECT s.version, ?, CAST(? AS bigint), ?, CAST(? AS bigint), ?, ?, ?, ?, ?, ?, ?, ? FROM s`

func queryChanges(db *gorm.DB, q rbac.ChangeQuery) ([]rbac.Change, error) {
	db = db.Model(&changeRow{}).Where("version > ?", q.AfterVersion)
	if q.Domain != "" {
		db = db.Where("domain = ?", string(q.Domain))
	}
	if q.Actor != nil {
		if *q.Actor == rbac.SystemActor {
			db = db.Where("actor_kind = ?", actorSystem)
		} else {
			db = db.Where("actor_kind = ? AND actor = ?", actorStaff, int64(*q.Actor))
		}
	}
	if q.ClientUser != 0 {
		db = db.Where("actor_kind = ? AND actor = ?", actorClientUser, q.ClientUser)
	}
	if q.Target != "" {
		db = db.Where("target = ?", q.Target)
	}
	if q.Op != "" {
		db = db.Where("op = ?", string(q.Op))
	}
	if !q.Since.IsZero() {
		db = db.Where("at >= ?", micros(q.Since))
	}
	if !q.Until.IsZero() {
		db = db.Where("at < ?", micros(q.Until))
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	var rows []changeRow
	if err := db.Order("version").Limit(limit).Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	out := make([]rbac.Change, 0, len(rows))
	for _, r := range rows {
		c, err := r.change()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Changes implements rbac.Store.
func (s *Store) Changes(ctx context.Context, q rbac.ChangeQuery) ([]rbac.Change, error) {
	return queryChanges(s.db.WithContext(ctx), q)
}

var _ rbac.LogHeadStore = (*Store)(nil)

// LogHead implements rbac.LogHeadStore: the committed version and the hash
// of its change, by primary key.
func (s *Store) LogHead(ctx context.Context) (int64, string, error) {
	var head struct {
		Version int64
		Hash    string
	}
	err := s.db.WithContext(ctx).Raw(`SELECT s.version AS version, COALESCE(c.hash, '') AS hash
		FROM ` + tableState + ` s LEFT JOIN ` + tableChanges + ` c ON c.version = s.version WHERE s.id = 1`).Scan(&head).Error
	if err != nil {
		return 0, "", fmt.Errorf("store: change log head: %w", mapErr(err))
	}
	return head.Version, head.Hash, nil
}

func (t *tx) Changes(q rbac.ChangeQuery) ([]rbac.Change, error) { return queryChanges(t.db, q) }
