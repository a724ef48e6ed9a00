package rbac

import "math/bits"

// bitset is a set of small integers. Published bitsets are never mutated:
// writers copy before changing (see with / without).
type bitset []uint64

func (b bitset) has(i uint32) bool {
	w := int(i >> 6)
	return w < len(b) && b[w]&(1<<(i&63)) != 0
}

// with returns a copy of b with i set.
func (b bitset) with(i uint32) bitset {
	w := int(i >> 6)
	n := max(len(b), w+1)
	c := make(bitset, n)
	copy(c, b)
	c[w] |= 1 << (i & 63)
	return c
}

// without returns a copy of b with i cleared, or nil when nothing is left.
func (b bitset) without(i uint32) bitset {
	if !b.has(i) {
		return b
	}
	c := make(bitset, len(b))
	copy(c, b)
	c[i>>6] &^= 1 << (i & 63)
	for len(c) > 0 && c[len(c)-1] == 0 {
		c = c[:len(c)-1]
	}
	if len(c) == 0 {
		return nil
	}
	return c
}

// each calls fn for every member in ascending order.
func (b bitset) each(fn func(uint32)) {
	for w, word := range b {
		for word != 0 {
			t := bits.TrailingZeros64(word)
			fn(uint32(w<<6 + t))
			word &^= 1 << t
		}
	}
}
