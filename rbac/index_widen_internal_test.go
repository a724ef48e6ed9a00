package rbac

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The change that widens the rows (the policy's 256th permission, whose
// bit is where a row of 256 bits keeps its temporary mark) counts as
// holders of the new permission exactly those whose rows give it: the
// mark of an earlier row with temporary rules is not that permission.
// Staff 1 and 3 have temporary grants (marked rows); staff 1 gains the
// new permission, staff 3 only another one.
func TestIndexWidenIgnoresTempMark(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	temp := Perm("temp", "x")
	w := Window{Until: now.Add(time.Hour)}
	rules := []Rule{GrantRule(StaffSubject(1), temp).Within(w), GrantRule(StaffSubject(3), temp).Within(w)}
	for i := range 254 {
		rules = append(rules, GrantRule(StaffSubject(2), Perm("p", Action(fmt.Sprint(i)))))
	}
	snap := buildSnapshot(rules, 1, clock)
	require.Len(t, snap.perms, 255)
	require.Equal(t, 4, snap.words, "255 permissions and the mark fill 256 bits")

	late := Perm("late", "x")
	d := PolicyDelta{Add: []Rule{GrantRule(StaffSubject(1), late), GrantRule(StaffSubject(3), Perm("p", "0"))}}
	b := newBuilder(snap)
	b.applyDelta(d)
	var next *snapshot
	require.NotPanics(t, func() { next = b.finish() })
	require.Greater(t, next.words, 4, "the rows widened")

	policy := map[Rule]Rule{}
	for _, r := range append(rules, d.Add...) {
		policy[r.key()] = r
	}
	checkOracle(t, "after widening", next, oracle{policy: policy, now: now}, []StaffID{1, 2, 3}, []Permission{late, temp, Perm("p", "0")})
}
