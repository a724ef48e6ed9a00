package rbac

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// Random additions and removals, in batches under fresh owners as
// builders make them, keep an idset equal to a plain map: membership,
// count, ascending iteration from any point. Every earlier version stays
// as it was (copy-on-write). IDs cluster so that blocks cross the
// array/bitmap threshold both ways.
func TestIDSetMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	type version struct {
		set  *idset
		want map[StaffID]bool
	}
	var history []version
	var s *idset
	model := map[StaffID]bool{}
	randomID := func() StaffID {
		switch rng.IntN(4) {
		case 0:
			return StaffID(rng.IntN(3 << blockBits)) // a few blocks, sparse
		case 1:
			return StaffID(1<<blockBits + rng.IntN(arrayMax*2)) // one block, dense
		case 2:
			return StaffID(1<<40 + rng.IntN(100)) // far IDs
		default:
			return StaffID(rng.Uint64() >> 1) // anywhere, up to the largest ID
		}
	}
	for step := range 150 {
		o := new(owner)
		n := 1 + rng.IntN(400)
		if step%50 >= 46 { // sweep a dense block down past the threshold
			n = arrayMax * 2
		}
		if step%2 == 0 { // a batch, as finish gives it
			var add, del []StaffID
			for range n {
				id := randomID()
				if model[id] && (step%50 == 46 || rng.IntN(3) == 0) {
					del = append(del, id)
				} else if !model[id] {
					add = append(add, id)
				}
			}
			slices.Sort(add)
			slices.Sort(del)
			add, del = slices.Compact(add), slices.Compact(del)
			s = s.update(o, add, del)
			for _, id := range add {
				model[id] = true
			}
			for _, id := range del {
				delete(model, id)
			}
			history = append(history, version{s, maps.Clone(model)})
			continue
		}
		for range n {
			id := randomID()
			if step%50 == 49 || rng.IntN(3) == 0 {
				s = s.without(o, id)
				delete(model, id)
			} else {
				s = s.with(o, id)
				model[id] = true
			}
		}
		history = append(history, version{s, maps.Clone(model)})
	}
	for i, v := range history {
		want := slices.Sorted(maps.Keys(v.want))
		require.Equal(t, len(want), v.set.len(), "version %d: count", i)
		require.True(t, slices.Equal(want, v.set.appendTo(nil)), "version %d: members", i)
		if len(want) == 0 {
			require.Nil(t, v.set, "version %d: an empty set is nil", i)
			continue
		}
		require.True(t, slices.Equal(want, slices.Collect(v.set.all())), "version %d: iteration", i)
		for range 20 {
			k := rng.IntN(len(want))
			after := want[k]
			got := []StaffID{}
			v.set.after(after, func(id StaffID) bool { got = append(got, id); return len(got) < 7 })
			require.Equal(t, slices.Clone(want[k+1:min(k+8, len(want))]), got, "version %d: after %d", i, after)
			require.True(t, v.set.has(after))
			if !v.want[after+1] {
				require.False(t, v.set.has(after+1))
			}
		}
	}
}

// idsetFromSorted builds the same set as adding the IDs one by one, for
// lists that fill blocks past the array/bitmap threshold or leave them
// sparse, and the set it builds changes by copy-on-write like any other.
func TestIDSetFromSorted(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, n := range []int{0, 1, 100, arrayMax, arrayMax + 1, 3 * arrayMax, 70000} {
		model := map[StaffID]bool{}
		for len(model) < n {
			model[StaffID(rng.IntN(4<<blockBits)+rng.IntN(2)<<40)] = true
		}
		ids := slices.Sorted(maps.Keys(model))
		s := idsetFromSorted(nil, ids)
		var one *idset
		o := new(owner)
		for _, id := range ids {
			one = one.with(o, id)
		}
		require.Equal(t, n, s.len())
		require.Equal(t, one.appendTo(nil), s.appendTo(nil), "n=%d", n)
		for _, id := range ids[:min(n, 50)] {
			require.True(t, s.has(id))
			require.False(t, s.has(id+1<<41))
		}
		if n == 0 {
			require.Nil(t, s)
			continue
		}
		x := ids[rng.IntN(n)]
		changed := s.without(new(owner), x).with(new(owner), x+1<<42)
		require.Equal(t, ids, s.appendTo(nil), "the built set is left as it was")
		require.Equal(t, n, changed.len())
		require.False(t, changed.has(x))
	}
}
