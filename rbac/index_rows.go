package rbac

import (
	"maps"
	"math"
	"math/bits"
	"slices"
	"sync"
)

// finish recomputes the row (flags and effective permissions) of every
// touched staff member and of every member of a changed department, moves
// each permission's holders by the bits that changed, and returns the
// snapshot to publish. Rows are recomputed in ID order, so the holder sets
// grow at their ends when a whole policy is built.
func (b *builder) finish() *snapshot {
	b.join()
	ids := b.work.appendIDs(make([]StaffID, 0, b.work.len()))
	// The members of a changed department need their rows recomputed:
	// those this change touched are in work already, the others are
	// members of the department in the base.
	var kept []StaffID
	for slot := range b.deptDirty {
		if int(slot) < b.base.depts.Len() {
			if d := b.base.deptAt(slot); d != nil {
				kept = d.members.appendTo(kept)
			}
		}
	}
	if len(kept) > 0 {
		ids = append(ids, kept...)
		slices.Sort(ids)
		ids = slices.Compact(ids)
	}
	row := make([]uint64, b.next.words)
	trow := make([]uint64, b.next.words)
	// The holder sets are moved one 65,536-ID block at a time: the gain
	// and loss lists stay the size of a block (and are reused), however
	// many rows a change touches; a whole policy's build included.
	block := uint64(0)
	for _, id := range ids {
		if k := uint64(id) >> blockBits; k != block {
			b.moveHolders()
			block = k
		}
		e := b.work.get(id)
		if e == nil { // a member of a changed department: only its row
			e = b.next.staffEntry(id)
		}
		var flags uint8
		if e == nil || e.empty() {
			e = nil
			clear(row)
		} else {
			flags = hotPresent
			if e.full {
				flags |= hotFull
			}
			if e.disabled {
				flags |= hotDisabled
			}
			if e.temp != nil {
				flags |= hotTemp
			}
			b.effective(e, flags, row)
		}
		temp := flags&(hotTemp|hotDisabled|hotFull) == hotTemp
		if temp {
			row[len(row)-1] |= tempMark
			clear(trow)
			b.next.orTemp(trow, e, math.MinInt64, true)
		}
		b.holdersDiff(id, flags, row)
		if temp {
			b.setRow(id, flags, row, trow, e)
		} else {
			b.setRow(id, flags, row, nil, e)
		}
	}
	b.moveHolders()
	putHolderLists(b.gain, b.loss)
	b.work, b.deptDirty, b.gain, b.loss = workSet{}, nil, nil, nil
	return b.next
}

// holderLists keeps the gain and loss lists of finished builders (two
// lists of permission-sized slices: about 10 KB at 200 permissions), so
// that a write, whose builder changes a row or two, does not allocate and
// clear them every time.
var holderLists sync.Pool // of *[2][][]StaffID

// getHolderLists returns gain and loss lists for n permissions, empty.
func getHolderLists(n int) (gain, loss [][]StaffID) {
	if p, ok := holderLists.Get().(*[2][][]StaffID); ok && cap(p[0]) >= n {
		return p[0][:n], p[1][:n]
	}
	return make([][]StaffID, n), make([][]StaffID, n)
}

// putHolderLists keeps gain and loss (emptied by moveHolders) for the next
// builder; a list a large build grew is dropped, not kept.
func putHolderLists(gain, loss [][]StaffID) {
	if gain == nil {
		return
	}
	for i := range gain {
		if cap(gain[i]) > 64 {
			gain[i] = nil
		}
		if cap(loss[i]) > 64 {
			loss[i] = nil
		}
	}
	holderLists.Put(&[2][][]StaffID{gain[:cap(gain)], loss[:cap(loss)]})
}

// moveHolders applies the gains and losses noted so far to the holder
// sets and empties the lists, keeping their room.
func (b *builder) moveHolders() {
	for pid := range b.gain {
		if len(b.gain[pid]) > 0 || len(b.loss[pid]) > 0 {
			cur := b.next.holders.At(uint64(pid))
			if next := cur.update(b.own, b.gain[pid], b.loss[pid]); next != cur {
				b.next.holders.Set(b.own, uint64(pid), next)
			}
			b.gain[pid], b.loss[pid] = b.gain[pid][:0], b.loss[pid][:0]
		}
	}
}

// effective writes into row what a check reads for entry e: all zeros when
// disabled, all ones for full access, otherwise the union of its active
// departments' permissions and its direct grants.
func (b *builder) effective(e *staffEntry, flags uint8, row []uint64) {
	switch {
	case flags&hotDisabled != 0:
		clear(row)
	case flags&hotFull != 0:
		for i := range row {
			row[i] = ^uint64(0)
		}
	default:
		clear(row)
		copy(row, e.direct)
		for _, slot := range e.depts {
			if d := b.next.deptAt(slot); !d.disabled {
				for i, w := range d.perms {
					row[i] |= w
				}
			}
		}
	}
}

// holdersDiff notes, for the holder sets, the bits id's row gains or
// loses against the base snapshot (finish applies them per set, in ID
// order). Words the base did not have yet read as
// all ones for a full-access account, as pid seeded those permissions'
// holders with the base's full-access accounts. The base row's tempMark
// is no permission, though once the rows widen its bit is a permission's
// (the 256th, say).
func (b *builder) holdersDiff(id StaffID, flags uint8, row []uint64) {
	oflags, orow := b.base.row(id)
	ofull := fullActive(oflags)
	nperms := len(b.next.perms)
	for w, nw := range row {
		var ow uint64
		if w < len(orow) {
			ow = orow[w]
			if w == len(orow)-1 && !ofull {
				ow &^= tempMark
			}
		} else if ofull {
			ow = ^uint64(0)
		}
		for x := ow ^ nw; x != 0; x &= x - 1 {
			t := bits.TrailingZeros64(x)
			pid := w<<6 + t
			if pid >= nperms {
				break
			}
			if b.gain == nil {
				b.gain, b.loss = getHolderLists(nperms)
			}
			if nw&(1<<t) != 0 {
				b.gain[pid] = append(b.gain[pid], id)
			} else {
				b.loss[pid] = append(b.loss[pid], id)
			}
		}
	}
	if ntemp := flags&hotTemp != 0; ntemp != (oflags&hotTemp != 0) {
		if ntemp {
			b.next.temp = b.next.temp.with(b.own, id)
		} else {
			b.next.temp = b.next.temp.without(b.own, id)
		}
	}
	if nfull := fullActive(flags); nfull != ofull {
		if nfull {
			b.next.active = b.next.active.with(b.own, id)
		} else {
			b.next.active = b.next.active.without(b.own, id)
		}
	}
}

// setRow stores id's flags, row, temporary bits (nil: none) and entry,
// copying its chunk on first write.
func (b *builder) setRow(id StaffID, flags uint8, row, trow []uint64, e *staffEntry) {
	words := b.next.words
	if uint64(id) >= denseLimit {
		if !b.farCopied {
			b.next.far = maps.Clone(b.next.far)
			b.farCopied = true
		}
		if flags == 0 {
			delete(b.next.far, id)
			return
		}
		b.next.far[id] = &farStaff{flags: flags, bits: slices.Clone(row), tbits: slices.Clone(trow), entry: e}
		return
	}
	c := uint64(id) >> chunkBits
	ch := b.next.hot.At(c)
	switch {
	case ch == nil:
		if flags == 0 {
			return
		}
		ch = b.newChunk(c, words)
	case ch.own != b.own:
		ch = &staffChunk{own: b.own, flags: ch.flags, ents: ch.ents, bits: ch.bits, tbits: slices.Clone(ch.tbits)}
		b.next.hot.Set(b.own, c, ch)
	}
	i := int(id & (chunkSize - 1))
	ch.flags[i] = flags
	ch.setEntry(b.own, i, e)
	g, j := i/groupSize, i%groupSize
	if ch.mine&(1<<g) == 0 {
		ch.bits[g] = slices.Clone(ch.bits[g])
		ch.mine |= 1 << g
		b.next.rows.Set(b.own, uint64(id)>>groupBits, ch.bits[g])
	}
	copy(ch.bits[g][j*words:(j+1)*words], row)
	switch {
	case trow != nil:
		if ch.tbits == nil {
			ch.tbits = make([]uint64, chunkSize*words)
		}
		copy(ch.tbits[i*words:(i+1)*words], trow)
	case ch.tbits != nil:
		clear(ch.tbits[i*words : (i+1)*words])
	}
}

// newChunk puts an empty chunk of the builder's own, with rows of words,
// at chunk number c, its groups in the row directory.
func (b *builder) newChunk(c uint64, words int) *staffChunk {
	ch := &staffChunk{own: b.own, mine: allGroups}
	for g := range ch.bits {
		ch.bits[g] = make([]uint64, groupSize*words)
		b.next.rows.Set(b.own, c<<(chunkBits-groupBits)+uint64(g), ch.bits[g])
	}
	b.next.hot.Set(b.own, c, ch)
	return ch
}

// widen gives every staff row room for more permissions: rarely (once per
// 256 new permissions), at the cost of copying every row.
func (b *builder) widen() {
	old := b.next.words
	words := old + 4
	fill := func(flags uint8, dst, src []uint64) {
		copy(dst, src)
		if fullActive(flags) {
			for i := old; i < words; i++ {
				dst[i] = ^uint64(0)
			}
		} else if old > 0 && src[old-1]&tempMark != 0 { // the mark moves to the new last bit
			dst[old-1] &^= tempMark
			dst[words-1] |= tempMark
		}
	}
	for c := range b.next.hot.Len() {
		ch := b.next.hot.At(uint64(c))
		if ch == nil {
			continue
		}
		n := b.newChunk(uint64(c), words)
		n.flags, n.ents = ch.flags, ch.ents
		if ch.tbits != nil {
			n.tbits = make([]uint64, chunkSize*words)
		}
		for i := range chunkSize {
			g, j := i/groupSize, i%groupSize
			fill(ch.flags[i], n.bits[g][j*words:(j+1)*words], ch.bits[g][j*old:(j+1)*old])
			if n.tbits != nil {
				copy(n.tbits[i*words:(i+1)*words], ch.tbits[i*old:(i+1)*old])
			}
		}
	}
	far := make(map[StaffID]*farStaff, len(b.next.far))
	for id, f := range b.next.far {
		n := &farStaff{flags: f.flags, bits: make([]uint64, words), entry: f.entry}
		fill(f.flags, n.bits, f.bits)
		if f.tbits != nil {
			n.tbits = make([]uint64, words)
			copy(n.tbits, f.tbits)
		}
		far[id] = n
	}
	b.next.far, b.farCopied = far, true
	b.next.words = words
}
