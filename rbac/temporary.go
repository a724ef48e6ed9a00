package rbac

import (
	"math"
	"slices"
	"time"
)

// Window is the time a temporary rule counts: from From (inclusive) until
// Until (exclusive). A zero From means from the moment the rule is given;
// Until is required. The zero Window means permanent.
//
// A temporary direct grant or membership stops counting at Until on every
// instance at once: checks compare the window with the clock
// (Options.Now) when, and only when, a temporary rule is what would allow
// them, so nothing waits for a sweeper or a notification. The rule stays
// in the policy (and in EffectivePermissions only while it counts) until
// it is revoked or replaced. Windows are kept to the nanosecond.
type Window struct {
	From  time.Time `json:",omitzero"`
	Until time.Time `json:",omitzero"`
}

// Until returns the window that counts from now until t.
func Until(t time.Time) Window { return Window{Until: t} }

// IsZero reports whether w is the zero (permanent) window.
func (w Window) IsZero() bool { return w.From.IsZero() && w.Until.IsZero() }

// Contains reports whether a rule with window w counts at t. The zero
// window contains every instant.
func (w Window) Contains(t time.Time) bool {
	if w.IsZero() {
		return true
	}
	return w.span().contains(t.UnixNano())
}

// String returns "" for the zero window, else "until <Until>" or
// "from <From> until <Until>", in RFC 3339 with nanoseconds.
func (w Window) String() string {
	switch {
	case w.IsZero():
		return ""
	case w.From.IsZero():
		return "until " + w.Until.Format(time.RFC3339Nano)
	}
	return "from " + w.From.Format(time.RFC3339Nano) + " until " + w.Until.Format(time.RFC3339Nano)
}

func (w Window) suffix() string {
	if w.IsZero() {
		return ""
	}
	return " " + w.String()
}

// norm returns w in UTC without a monotonic reading, so that equal
// windows compare equal with == (rules are compared that way).
func (w Window) norm() Window {
	if w.IsZero() {
		return w
	}
	return Window{From: normTime(w.From), Until: normTime(w.Until)}
}

func normTime(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Round(0)
}

// valid reports whether a non-zero w can be stored: Until set, after From,
// and both within what Unix nanoseconds represent (years 1678 to 2262).
func (w Window) valid() bool {
	inRange := func(t time.Time) bool { return time.Unix(0, t.UnixNano()).Equal(t) }
	if w.Until.IsZero() || !inRange(w.Until) {
		return false
	}
	return w.From.IsZero() || inRange(w.From) && w.From.Before(w.Until)
}

// check reports what is wrong with w as the window of a new temporary
// rule at now, under field.
func (w Window) check(fe *fieldErrors, field string, now time.Time) {
	switch {
	case w.Until.IsZero():
		fe.add(field+".until", "required", "a temporary rule needs an end")
	case !w.valid():
		if !w.From.IsZero() && !w.From.Before(w.Until) {
			fe.add(field+".until", "after_from", "the end must come after the start")
		} else {
			fe.add(field+".until", "range", "times must lie between the years 1678 and 2262")
		}
	case !now.Before(w.Until):
		fe.add(field+".until", "future", "the end must lie in the future")
	}
}

// span is a window as the decision index keeps it, in Unix nanoseconds.
type span struct{ from, until int64 }

func (w Window) span() span {
	sp := span{from: math.MinInt64, until: w.Until.UnixNano()}
	if !w.From.IsZero() {
		sp.from = w.From.UnixNano()
	}
	return sp
}

func (sp span) window() Window {
	w := Window{Until: time.Unix(0, sp.until).UTC()}
	if sp.from != math.MinInt64 {
		w.From = time.Unix(0, sp.from).UTC()
	}
	return w
}

func (sp span) contains(now int64) bool { return sp.from <= now && now < sp.until }

// tempRule is one temporary rule of a staff member as the index keeps it:
// a direct grant of a permission or a membership of a department.
type tempRule struct {
	member bool   // a membership: id is a deptSlot; else a grant: id is a permID
	id     uint32 // permID or deptSlot
	span   span
}

// nowNano is the snapshot's clock in Unix nanoseconds.
func (s *snapshot) nowNano() int64 {
	if s.clock != nil {
		return s.clock().UnixNano()
	}
	return time.Now().UnixNano()
}

// gives reports whether temporary rule t would give pid (whatever its
// window).
func (s *snapshot) gives(t tempRule, pid permID) bool {
	if !t.member {
		return t.id == pid
	}
	d := s.deptAt(t.id)
	return !d.disabled && d.perms.has(pid)
}

// canTemp reports whether a temporary rule of e allows pid now, for an
// account with flags. The clock is read only when a rule would give pid.
func (s *snapshot) canTemp(e *staffEntry, flags uint8, pid permID) bool {
	if e == nil || flags&hotDisabled != 0 {
		return false
	}
	now, read := int64(0), false
	for _, t := range e.temps() {
		if !s.gives(t, pid) {
			continue
		}
		if !read {
			now, read = s.nowNano(), true
		}
		if t.span.contains(now) {
			return true
		}
	}
	return false
}

// canTempAt is canTemp for row i of chunk c, a row with tempMark: its
// temporary bits first, the clock only if they have pid.
func (s *snapshot) canTempAt(c uint64, i int, pid permID) bool {
	ch := s.hot.At(c)
	return ch.tbits[i*s.words+int(pid>>6)]&(1<<(pid&63)) != 0 && s.canTemp(ch.entry(i), ch.flags[i], pid)
}

// orTemp ORs into row the permissions e's temporary rules give at now:
// those counting now or, with pending, also those that have not started.
// row must be a snapshot row (s.words long).
func (s *snapshot) orTemp(row []uint64, e *staffEntry, now int64, pending bool) {
	for _, t := range e.temps() {
		if now >= t.span.until || !pending && now < t.span.from {
			continue
		}
		if !t.member {
			row[t.id>>6] |= 1 << (t.id & 63)
			continue
		}
		if d := s.deptAt(t.id); !d.disabled {
			for i, w := range d.perms {
				row[i] |= w
			}
		}
	}
}

// grantedRow returns id's flags and what its account holds or will hold
// without a further change: its row with the permissions of temporary
// rules that have not ended at now. The effect of a change compares these,
// so a temporary gain is a gain, now or later. The row is shared unless id
// has temporary rules: read only.
func (s *snapshot) grantedRow(id StaffID, now int64) (uint8, []uint64) {
	f, row := s.row(id)
	if f&hotTemp == 0 || f&(hotDisabled|hotFull) != 0 {
		return f, row
	}
	out := make([]uint64, len(row))
	copy(out, row)
	out[len(out)-1] &^= tempMark
	s.orTemp(out, s.staffEntry(id), now, true)
	return f, out
}

// tempWindow returns the window of e's temporary rule t (a grant of pid
// or a membership of slot), if e has it.
func (e *staffEntry) tempWindow(member bool, id uint32) (Window, bool) {
	for _, t := range e.temps() {
		if t.member == member && t.id == id {
			return t.span.window(), true
		}
	}
	return Window{}, false
}

// setTemp adds, replaces (w not zero) or removes (w zero) e's temporary
// rule for (member, id). e is a builder's working copy.
func (e *staffEntry) setTemp(member bool, id uint32, w Window) {
	ts := e.temps()
	for i, t := range ts {
		if t.member == member && t.id == id {
			if w.IsZero() {
				ts = append(ts[:i:i], ts[i+1:]...)
			} else {
				ts[i].span = w.span()
			}
			e.setTemps(ts)
			return
		}
	}
	if !w.IsZero() {
		e.setTemps(append(ts, tempRule{member: member, id: id, span: w.span()}))
	}
}

// departments counts e's memberships, temporary ones included.
func (e *staffEntry) departments() int {
	n := len(e.depts)
	for _, t := range e.temps() {
		if t.member {
			n++
		}
	}
	return n
}

// memberDepts returns the departments e belongs to at now, sorted by ID:
// its permanent memberships and the temporary ones counting now.
func (s *snapshot) memberDepts(e *staffEntry, now int64) []DepartmentID {
	out := make([]DepartmentID, 0, len(e.depts)+len(e.temps()))
	for _, slot := range e.depts {
		out = append(out, s.deptAt(slot).id)
	}
	for _, t := range e.temps() {
		if t.member && t.span.contains(now) {
			out = append(out, s.deptAt(t.id).id)
		}
	}
	slices.Sort(out)
	return out
}

// isMember reports whether staff member id belongs to department d now: a
// temporary membership only during its window.
func (s *snapshot) isMember(id StaffID, d DepartmentID) bool {
	r, ok := s.storedRule(MemberRule(id, d))
	return ok && (r.Window.IsZero() || r.Window.span().contains(s.nowNano()))
}

func (e *staffEntry) setTemps(ts []tempRule) {
	if len(ts) == 0 {
		e.temp = nil
		return
	}
	e.temp = &ts
}
