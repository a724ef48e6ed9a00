package rbac

import "iter"

// Holders is the answer of WhoCan: the staff members who may perform a
// permission, ascending by ID, each with every reason (full access, then
// departments by ID, then a direct grant, as Explain gives them). The
// zero value is the empty answer. It is never changed once returned, so
// it may be read from several goroutines.
//
// An answer keeps each distinct reason once and every holder's as small
// indexes into them: a permission held by 70,000 staff members through
// a few hundred departments takes about 20 bytes a holder, not a list of
// Source values each. Sources, At and All give a holder's reasons as a
// []Source; the list of a holder with a single reason is shared with
// the other holders having it, so treat every list as read-only.
type Holders struct {
	staff []StaffID
	// end[i] is where holder i's reasons end in refs (or, when refs is
	// nil, in srcs); they start where holder i-1's end.
	end  []uint32
	refs []uint32 // indexes into srcs; nil when each holder's reasons are contiguous in srcs
	srcs []Source
}

// Len returns the number of holders.
func (h Holders) Len() int { return len(h.staff) }

// Staff returns the ID of holder i (0 <= i < Len()).
func (h Holders) Staff(i int) StaffID { return h.staff[i] }

// Sources returns the reasons of holder i (0 <= i < Len()). The list may
// be shared with other holders: read it, do not change it. It allocates
// only for a holder with more than one reason in a large answer; to read
// many without allocating, use AppendSources with a reused slice.
func (h Holders) Sources(i int) []Source {
	lo, hi := h.span(i)
	switch {
	case h.refs == nil:
		return h.srcs[lo:hi:hi]
	case hi-lo == 1:
		r := h.refs[lo]
		return h.srcs[r : r+1 : r+1]
	}
	return h.appendRefs(make([]Source, 0, hi-lo), lo, hi)
}

// AppendSources appends the reasons of holder i (0 <= i < Len()) to dst.
func (h Holders) AppendSources(dst []Source, i int) []Source {
	lo, hi := h.span(i)
	if h.refs == nil {
		return append(dst, h.srcs[lo:hi]...)
	}
	return h.appendRefs(dst, lo, hi)
}

// At returns holder i (0 <= i < Len()) with its reasons, as Sources.
func (h Holders) At(i int) Holder {
	return Holder{Staff: h.staff[i], Sources: h.Sources(i)}
}

// All yields every holder with its reasons, ascending by ID. The lists
// of holders with several reasons are written into arrays shared by a
// few hundred holders, so a whole answer costs a few allocations; the
// lists stay valid after the loop.
func (h Holders) All() iter.Seq[Holder] {
	return func(yield func(Holder) bool) {
		var buf []Source
		for i, id := range h.staff {
			lo, hi := h.span(i)
			var srcs []Source
			switch {
			case h.refs == nil:
				srcs = h.srcs[lo:hi:hi]
			case hi-lo == 1:
				r := h.refs[lo]
				srcs = h.srcs[r : r+1 : r+1]
			default:
				if n := int(hi - lo); cap(buf)-len(buf) < n {
					buf = make([]Source, 0, max(n, min(512, len(h.refs)-int(lo))))
				}
				start := len(buf)
				buf = h.appendRefs(buf, lo, hi)
				srcs = buf[start:len(buf):len(buf)]
			}
			if !yield(Holder{Staff: id, Sources: srcs}) {
				return
			}
		}
	}
}

// span returns where holder i's reasons start and end.
func (h Holders) span(i int) (uint32, uint32) {
	var lo uint32
	if i > 0 {
		lo = h.end[i-1]
	}
	return lo, h.end[i]
}

func (h Holders) appendRefs(dst []Source, lo, hi uint32) []Source {
	for _, r := range h.refs[lo:hi] {
		dst = append(dst, h.srcs[r])
	}
	return dst
}
