package rbac

import (
	"iter"
	"math/bits"
	"slices"

	"github.com/billingrbac/billingrbac/internal/cow"
)

// idset is an immutable, compressed set of staff IDs: Roaring's layout
// (IDs grouped in blocks of 65,536 by their high bits; a block is a sorted
// array of the low 16 bits while it holds at most arrayMax of them and a
// bitmap beyond) with copy-on-write at block grain, and within a bitmap at
// the grain of a 512-byte piece of 4,096 IDs. It holds a
// department's members, a permission's direct holders and a permission's
// effective holders, so "who can" costs the answer, not the staff. It
// orders IDs as unsigned numbers (staff IDs are positive).
//
// Published sets are never changed. A builder changes a set through its
// owner token: blocks and directories it created itself carry the token
// and are changed in place; anything else is copied first (one block and
// the directory, whatever the size of the set; in a bitmap, the block's 16
// piece pointers and one piece). The nil *idset is the empty set.
//
// It is hand-written rather than github.com/RoaringBitmap/roaring/v2
// because the index needs what that library keeps private: WhoCan's merge
// reads a block's array or bitmap directly (appendBlock), where Roaring
// offers an iterator per block (WhoCan 1.6-2.2x slower on it, WhoCanIDs
// 1.4x, a cold start 1.8x, for 3% less heap at one million staff; see
// BENCHMARKS.md, "Roaring against idset"), and a copy-on-write clone that
// marks the source's containers, which would write into published sets.
type idset struct {
	own  *owner
	n    int
	keys []uint64 // id >> blockBits, ascending
	blks []*idblock
}

// owner identifies the builder that may change what carries it. It is
// kept alive by what it marks, so its address is never reused while a
// published block still names it.
type owner struct{ _ byte }

const (
	blockBits = 16
	blockMask = 1<<blockBits - 1
	// arrayMax is where a block turns from an array (2 bytes an ID) into a
	// bitmap (8 KiB): the size at which both take the same room.
	arrayMax = 4096

	// A bitmap is kept in pieces of 4,096 IDs (64 words, 512 bytes: a
	// cow leaf of words), so that changing one bit of a published set
	// copies one piece, not the whole 8 KiB bitmap.
	pieceWords = cow.LeafSize
	pieceBits  = cow.Bits + 6
	pieceCount = 1 << (blockBits - pieceBits)
)

type idblock struct {
	own *owner
	n   int
	arr []uint16 // sorted, while bm is nil
	bm  []*piece // pieceCount pieces (nil: none of its IDs), once the block is dense
}

// piece is 4,096 consecutive IDs of a bitmap block.
type piece = cow.Leaf[owner, uint64]

func (s *idset) len() int {
	if s == nil {
		return 0
	}
	return s.n
}

func (s *idset) find(key uint64) (int, bool) {
	return slices.BinarySearch(s.keys, key)
}

func (s *idset) has(id StaffID) bool {
	if s == nil {
		return false
	}
	i, ok := s.find(uint64(id) >> blockBits)
	return ok && s.blks[i].has(uint16(uint64(id)&blockMask))
}

func (b *idblock) has(lo uint16) bool {
	if b.bm != nil {
		p := b.bm[lo>>pieceBits]
		return p != nil && p.V[lo>>6&(pieceWords-1)]&(1<<(lo&63)) != 0
	}
	_, ok := slices.BinarySearch(b.arr, lo)
	return ok
}

// after yields the members greater than after, ascending, until yield
// returns false.
func (s *idset) after(after StaffID, yield func(StaffID) bool) {
	if s == nil {
		return
	}
	start := uint64(after) + 1
	if start == 0 { // after was the largest ID
		return
	}
	i, _ := s.find(start >> blockBits)
	for ; i < len(s.keys); i++ {
		base := s.keys[i] << blockBits
		lo := 0
		if s.keys[i] == start>>blockBits {
			lo = int(start & blockMask)
		}
		if !s.blks[i].each(base, lo, yield) {
			return
		}
	}
}

// each yields base+x for the block's members x >= from.
func (b *idblock) each(base uint64, from int, yield func(StaffID) bool) bool {
	if b.bm == nil {
		j, _ := slices.BinarySearch(b.arr, uint16(from))
		for _, x := range b.arr[j:] {
			if !yield(StaffID(base + uint64(x))) {
				return false
			}
		}
		return true
	}
	for pi := from >> pieceBits; pi < pieceCount; pi++ {
		p := b.bm[pi]
		if p == nil {
			continue
		}
		w0 := 0
		if pi == from>>pieceBits {
			w0 = from >> 6 & (pieceWords - 1)
		}
		for w := w0; w < pieceWords; w++ {
			word := p.V[w]
			if pi == from>>pieceBits && w == w0 {
				word &^= 1<<(from&63) - 1
			}
			for word != 0 {
				t := bits.TrailingZeros64(word)
				if !yield(StaffID(base + uint64(pi<<pieceBits+w<<6+t))) {
					return false
				}
				word &= word - 1
			}
		}
	}
	return true
}

// all yields every member, ascending.
func (s *idset) all() iter.Seq[StaffID] {
	return func(yield func(StaffID) bool) {
		if s != nil && s.n > 0 {
			if s.has(0) && !yield(0) {
				return
			}
			s.after(0, yield)
		}
	}
}

// appendTo appends every member, ascending, to dst.
func (s *idset) appendTo(dst []StaffID) []StaffID {
	if s == nil {
		return dst
	}
	dst = slices.Grow(dst, s.n)
	for i, b := range s.blks {
		base := s.keys[i] << blockBits
		if b.bm == nil {
			for _, x := range b.arr {
				dst = append(dst, StaffID(base+uint64(x)))
			}
			continue
		}
		for pi, p := range b.bm {
			if p == nil {
				continue
			}
			pbase := base + uint64(pi<<pieceBits)
			for w, word := range p.V {
				for word != 0 {
					t := bits.TrailingZeros64(word)
					dst = append(dst, StaffID(pbase+uint64(w<<6+t)))
					word &= word - 1
				}
			}
		}
	}
	return dst
}

// mine returns s, or a copy of its directory owned by o.
func (s *idset) mine(o *owner) *idset {
	if s == nil {
		return &idset{own: o}
	}
	if s.own == o {
		return s
	}
	return &idset{own: o, n: s.n, keys: slices.Clone(s.keys), blks: slices.Clone(s.blks)}
}

func (b *idblock) mine(o *owner) *idblock {
	if b.own == o {
		return b
	}
	c := &idblock{own: o, n: b.n}
	if b.bm != nil {
		c.bm = slices.Clone(b.bm) // the pieces stay shared until changed
	} else {
		c.arr = slices.Clone(b.arr)
	}
	return c
}

// with returns the set with id added, changing only what o owns.
func (s *idset) with(o *owner, id StaffID) *idset {
	if s.has(id) {
		return s
	}
	s = s.mine(o)
	key, lo := uint64(id)>>blockBits, uint16(uint64(id)&blockMask)
	i, ok := s.find(key)
	if !ok {
		s.keys = slices.Insert(s.keys, i, key)
		s.blks = slices.Insert(s.blks, i, &idblock{own: o})
	}
	b := s.blks[i].mine(o)
	s.blks[i] = b
	b.add(o, lo)
	s.n++
	return s
}

// add adds lo to b, which o owns.
func (b *idblock) add(o *owner, lo uint16) {
	b.n++
	if b.bm == nil && len(b.arr) < arrayMax {
		j, _ := slices.BinarySearch(b.arr, lo)
		b.arr = slices.Insert(b.arr, j, lo)
		return
	}
	b.toBitmap(o)
	b.set(o, lo)
}

// toBitmap turns b, which o owns, into a bitmap, if it is an array.
func (b *idblock) toBitmap(o *owner) {
	if b.bm != nil {
		return
	}
	b.bm = make([]*piece, pieceCount)
	for _, x := range b.arr {
		b.set(o, x)
	}
	b.arr = nil
}

// toArray turns b, a bitmap, into an array.
func (b *idblock) toArray() {
	arr := b.appendBits(make([]uint16, 0, b.n))
	b.arr, b.bm = arr, nil
}

// piece returns the piece of b (a bitmap o owns) holding lo, o's own:
// created, or copied from a published one, on first write.
func (b *idblock) piece(o *owner, lo uint16) *piece {
	p := cow.Own(o, b.bm[lo>>pieceBits])
	b.bm[lo>>pieceBits] = p
	return p
}

// set and clear change lo's bit in b, a bitmap o owns.
func (b *idblock) set(o *owner, lo uint16) {
	b.piece(o, lo).V[lo>>6&(pieceWords-1)] |= 1 << (lo & 63)
}

func (b *idblock) clear(o *owner, lo uint16) {
	if b.bm[lo>>pieceBits] != nil {
		b.piece(o, lo).V[lo>>6&(pieceWords-1)] &^= 1 << (lo & 63)
	}
}

// without returns the set with id removed (nil once empty), changing only
// what o owns.
func (s *idset) without(o *owner, id StaffID) *idset {
	if !s.has(id) {
		return s
	}
	if s.n == 1 {
		return nil
	}
	s = s.mine(o)
	i, _ := s.find(uint64(id) >> blockBits)
	if s.blks[i].n == 1 {
		s.keys = slices.Delete(s.keys, i, i+1)
		s.blks = slices.Delete(s.blks, i, i+1)
	} else {
		b := s.blks[i].mine(o)
		s.blks[i] = b
		b.remove(o, uint16(uint64(id)&blockMask))
	}
	s.n--
	return s
}

// remove removes lo from b, which o owns.
func (b *idblock) remove(o *owner, lo uint16) {
	b.n--
	if b.bm == nil {
		j, _ := slices.BinarySearch(b.arr, lo)
		b.arr = slices.Delete(b.arr, j, j+1)
		return
	}
	b.clear(o, lo)
	if b.n <= arrayMax/2 { // hysteresis: no flapping at the threshold
		b.toArray()
	}
}

// update returns the set with add added and del removed, changing only
// what o owns. Both are ascending, add holds no member and del only
// members (as a builder's row diff gives them): one merge per block
// instead of an insertion per ID.
func (s *idset) update(o *owner, add, del []StaffID) *idset {
	if len(add) == 0 && len(del) == 0 {
		return s
	}
	s = s.mine(o)
	for len(add) > 0 || len(del) > 0 {
		var key uint64
		switch {
		case len(del) == 0:
			key = uint64(add[0]) >> blockBits
		case len(add) == 0:
			key = uint64(del[0]) >> blockBits
		default:
			key = min(uint64(add[0]), uint64(del[0])) >> blockBits
		}
		na := blockRun(add, key)
		nd := blockRun(del, key)
		i, ok := s.find(key)
		if !ok {
			s.keys = slices.Insert(s.keys, i, key)
			s.blks = slices.Insert(s.blks, i, &idblock{own: o})
		}
		b := s.blks[i].mine(o)
		b.merge(o, add[:na], del[:nd])
		s.n += na - nd
		if b.n == 0 {
			s.keys = slices.Delete(s.keys, i, i+1)
			s.blks = slices.Delete(s.blks, i, i+1)
		} else {
			s.blks[i] = b
		}
		add, del = add[na:], del[nd:]
	}
	if s.n == 0 {
		return nil
	}
	return s
}

// blockRun counts the leading IDs of ids that fall in block key.
func blockRun(ids []StaffID, key uint64) int {
	n := 0
	for n < len(ids) && uint64(ids[n])>>blockBits == key {
		n++
	}
	return n
}

// merge adds add and removes del (ascending, of b's block) from b, which
// o owns.
func (b *idblock) merge(o *owner, add, del []StaffID) {
	n := b.n + len(add) - len(del)
	if n > arrayMax {
		b.toBitmap(o)
	}
	b.n = n
	if b.bm != nil {
		for _, id := range add {
			b.set(o, uint16(uint64(id)&blockMask))
		}
		for _, id := range del {
			b.clear(o, uint16(uint64(id)&blockMask))
		}
		if n <= arrayMax/2 {
			b.toArray()
		}
		return
	}
	out := make([]uint16, 0, n)
	i, j, k := 0, 0, 0
	for i < len(b.arr) || j < len(add) {
		if j == len(add) || i < len(b.arr) && b.arr[i] < uint16(uint64(add[j])&blockMask) {
			x := b.arr[i]
			i++
			if k < len(del) && uint16(uint64(del[k])&blockMask) == x {
				k++
				continue
			}
			out = append(out, x)
			continue
		}
		out = append(out, uint16(uint64(add[j])&blockMask))
		j++
	}
	b.arr = out
}

// idsetFromSorted returns the set of ids, which must be strictly
// ascending, owned by o (nil for none): one block per 65,536-ID range
// present, built in one pass, for a builder that has a whole list at once
// (a cold start, an import). The slice is not kept.
func idsetFromSorted(o *owner, ids []StaffID) *idset {
	if len(ids) == 0 {
		return nil
	}
	s := &idset{own: o, n: len(ids)}
	for len(ids) > 0 {
		key := uint64(ids[0]) >> blockBits
		n := blockRun(ids, key)
		b := &idblock{own: o, n: n}
		if n > arrayMax {
			b.bm = make([]*piece, pieceCount)
			for _, id := range ids[:n] {
				b.set(o, uint16(uint64(id)&blockMask))
			}
		} else {
			b.arr = make([]uint16, n)
			for i, id := range ids[:n] {
				b.arr[i] = uint16(uint64(id) & blockMask)
			}
		}
		s.keys = append(s.keys, key)
		s.blks = append(s.blks, b)
		ids = ids[n:]
	}
	return s
}

// blockKeys yields the high bits (id >> 16) of the members' 65,536-ID
// blocks, ascending.
func (s *idset) blockKeys() iter.Seq[uint64] {
	return func(yield func(uint64) bool) {
		if s == nil {
			return
		}
		for _, k := range s.keys {
			if !yield(k) {
				return
			}
		}
	}
}

// appendBlock appends the low 16 bits of the members whose high bits are
// key, ascending.
func (s *idset) appendBlock(key uint64, dst []uint16) []uint16 {
	if s == nil {
		return dst
	}
	i, ok := s.find(key)
	if !ok {
		return dst
	}
	return s.blks[i].appendLows(dst)
}

// appendLows appends the low 16 bits of b's members, ascending.
func (b *idblock) appendLows(dst []uint16) []uint16 {
	if b.bm == nil {
		return append(dst, b.arr...)
	}
	return b.appendBits(slices.Grow(dst, b.n))
}

// appendBits appends the members of b, a bitmap, ascending.
func (b *idblock) appendBits(dst []uint16) []uint16 {
	for pi, p := range b.bm {
		if p == nil {
			continue
		}
		base := pi << pieceBits
		for w, word := range p.V {
			for word != 0 {
				dst = append(dst, uint16(base+w<<6+bits.TrailingZeros64(word)))
				word &= word - 1
			}
		}
	}
	return dst
}

// eachBlock appends the low 16 bits of every member to dst, ascending,
// calling fn with each block's high bits and where its members are in the
// result; a single walk of the set.
func (s *idset) eachBlock(dst []uint16, fn func(key uint64, start, end int)) []uint16 {
	if s == nil {
		return dst
	}
	for i, b := range s.blks {
		start := len(dst)
		dst = b.appendLows(dst)
		fn(s.keys[i], start, len(dst))
	}
	return dst
}
