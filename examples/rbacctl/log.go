package main

import (
	"encoding/json"
	"flag"
	"io"
	"strconv"
	"time"

	"github.com/billingrbac/billingrbac/rbac"
)

func logCommands() []*command {
	return []*command{
		{name: "log", summary: "read the action log (who changed what, when, why), oldest first",
			flags: func(fs *flag.FlagSet) {
				fs.String("actor", "", "changes made by this login")
				fs.String("op", "", "operation, e.g. staff.grant, department.update, review.signoff")
				fs.String("target", "", `target, e.g. "staff:7", "dept:3"`)
				fs.String("since", "", "at or after this time (RFC 3339 or YYYY-MM-DD, UTC)")
				fs.String("until", "", "before this time")
				fs.Int64("after", 0, "versions after this one (the page cursor)")
				fs.Int("limit", 100, "at most this many")
			},
			run: (*cli).log},
	}
}

func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usagef("--%s %q: want RFC 3339 or YYYY-MM-DD", field, s)
}

func (c *cli) log(args []string) error {
	if err := c.nargs(args, 0); err != nil {
		return err
	}
	q := rbac.ChangeQuery{Op: rbac.Operation(c.str("op")), Target: c.str("target"), AfterVersion: c.values["after"].(int64), Limit: c.values["limit"].(int)}
	var err error
	if q.Since, err = parseTime("since", c.str("since")); err != nil {
		return err
	}
	if q.Until, err = parseTime("until", c.str("until")); err != nil {
		return err
	}
	if a := c.str("actor"); a != "" {
		st, err := c.staff(a)
		if err != nil {
			return err
		}
		q.Actor = &st.ID
	}
	chs, err := c.svc.AuditLog(c.ctx, c.me.ID, q)
	if err != nil {
		return err
	}
	logins := map[rbac.StaffID]string{rbac.SystemActor: "system"}
	name := func(id rbac.StaffID) string {
		if l, ok := logins[id]; ok {
			return l
		}
		l := "staff " + id.String()
		if st, err := c.svc.StaffMember(c.ctx, id); err == nil {
			l = st.Login
		}
		logins[id] = l
		return l
	}
	type entry struct {
		Version int64            `json:"version"`
		At      time.Time        `json:"at"`
		Actor   string           `json:"actor"`
		Op      rbac.Operation   `json:"op"`
		Target  string           `json:"target"`
		Reason  string           `json:"reason,omitempty"`
		Before  json.RawMessage  `json:"before"`
		After   json.RawMessage  `json:"after"`
		Policy  rbac.PolicyDelta `json:"policy"`
	}
	entries := []entry{}
	var rows [][]string
	for _, ch := range chs {
		entries = append(entries, entry{ch.Version, ch.At, name(ch.Actor), ch.Op, ch.Target, ch.Reason, ch.Before, ch.After, ch.Policy})
		rows = append(rows, []string{strconv.FormatInt(ch.Version, 10), ch.At.UTC().Format("2006-01-02 15:04:05"), name(ch.Actor),
			string(ch.Op), ch.Target, ch.Reason})
	}
	return c.emit(entries, func(w io.Writer) error {
		return table(w, []string{"VERSION", "AT (UTC)", "ACTOR", "OPERATION", "TARGET", "REASON"}, rows)
	})
}
