package rbac

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The change log's JSON is hashed and read back by every instance:
// marshalDelta and marshalEffect must give what encoding/json gives, byte
// for byte, for every delta and effect, the shapes they append themselves
// and the ones they hand over alike.
func TestChangeJSONMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 6))
	strs := []string{"", "invoices", "send", "a:b", "x<y", "a&b", `q"uote`, `back\slash`, "line\nbreak", "é", "\x7f", "full-access", "disabled"}
	str := func() string { return strs[rng.IntN(len(strs))] }
	perm := func() Permission {
		if rng.IntN(8) == 0 {
			return Permission{}
		}
		return Permission{Function: Function(str()), Action: Action(str())}
	}
	id := func() int64 { return []int64{0, 1, 42, -7, 1 << 40, -1 << 63}[rng.IntN(6)] }
	rule := func() Rule {
		r := Rule{Kind: RuleKind(rng.IntN(5)), Subject: Subject{Staff: StaffID(id()), Department: DepartmentID(id())},
			Permission: perm(), Department: DepartmentID(id()), Flag: Flag(str())}
		if rng.IntN(6) == 0 {
			r.Window = Window{Until: time.Unix(1_800_000_000, 5).UTC()}
		}
		return r
	}
	rules := func() []Rule {
		switch n := rng.IntN(4); n {
		case 0:
			return nil
		case 1:
			return []Rule{}
		default:
			rs := make([]Rule, n-1)
			for i := range rs {
				rs[i] = rule()
			}
			return rs
		}
	}
	perms := func() []Permission {
		switch n := rng.IntN(4); n {
		case 0:
			return nil
		case 1:
			return []Permission{}
		default:
			ps := make([]Permission, n)
			for i := range ps {
				ps[i] = perm()
			}
			return ps
		}
	}
	access := func() Access { return Access{FullAccess: rng.IntN(2) == 0, Disabled: rng.IntN(2) == 0} }
	appended := 0
	for range 20000 {
		d := PolicyDelta{Add: rules(), Remove: rules()}
		want, err := json.Marshal(d)
		require.NoError(t, err)
		require.Equal(t, string(want), string(marshalDelta(d)), "%#v", d)
		if _, ok := appendDelta(nil, d); ok {
			appended++
		}

		var e Effect
		for range rng.IntN(3) {
			e.Staff = append(e.Staff, StaffEffect{Staff: StaffID(id()), Before: access(), After: access(), Gained: perms(), Lost: perms()})
		}
		for range rng.IntN(3) {
			e.Control = append(e.Control, StaffID(id()))
		}
		if rng.IntN(10) == 0 {
			e.ClientUsers = []ClientUserEffect{{User: 1, Client: 2}}
		}
		if rng.IntN(10) == 0 {
			e.ClientControl = []int64{3}
		}
		want, err = json.Marshal(e)
		require.NoError(t, err)
		require.Equal(t, string(want), string(marshalEffect(e)), "%#v", e)

		ps := perms()
		want, err = json.Marshal(ps)
		require.NoError(t, err)
		require.Equal(t, string(want), string(marshalOrNull(ps)), "%#v", ps)
	}
	require.Greater(t, appended, 5000, "the direct path is taken for most deltas")
}
