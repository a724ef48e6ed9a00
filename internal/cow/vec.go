// Package cow holds the copy-on-write vector the decision indexes build
// their snapshots from: an immutable array indexed by small integers, in
// leaves of LeafSize entries under one directory. Setting an entry under an
// owner copies at most the directory (one pointer per LeafSize entries) and
// one leaf, never the whole array, and leaves every earlier version as it
// was. Both decision indexes build on it: package rbac's (as pvec, for
// staff chunks, rows and departments) and package clients' tables.
package cow

// Bits and LeafSize give the size of a leaf: 64 entries, so a write
// copies at most 512 bytes of pointers (1.5 KiB of slice headers) below
// a directory of one pointer per 64 entries (about 1,000 pointers for
// the rows of 16 million staff).
const (
	Bits     = 6
	LeafSize = 1 << Bits
)

// Vec is the vector. O is the type of the owner: a snapshot being built
// holds one *O, and everything of the vector carrying that pointer is its
// own to change. The zero Vec is empty; reading past its end gives the
// zero value. Dir and the leaves are exported for hot paths that read
// them directly; they are read only.
type Vec[O, T any] struct {
	own  *O
	Dir  []*Leaf[O, T]
	size int // one past the highest index ever set
}

// Own returns l if o owns it, and otherwise a copy of it (an empty leaf
// for nil) that o owns: the leaf a writer under o changes in place. Leaves
// are also used on their own, as fixed arrays copied on first write.
func Own[O, T any](o *O, l *Leaf[O, T]) *Leaf[O, T] {
	switch {
	case l == nil:
		return &Leaf[O, T]{own: o}
	case l.own != o:
		c := *l
		c.own = o
		return &c
	}
	return l
}

// Leaf holds LeafSize consecutive entries.
type Leaf[O, T any] struct {
	own *O
	V   [LeafSize]T
}

// At returns the entry at i.
func (p *Vec[O, T]) At(i uint64) T {
	if l := i >> Bits; l < uint64(len(p.Dir)) {
		if leaf := p.Dir[l]; leaf != nil {
			return leaf.V[i&(LeafSize-1)]
		}
	}
	var zero T
	return zero
}

// Len is one past the highest index ever set.
func (p *Vec[O, T]) Len() int { return p.size }

// Set stores v at i, copying on first write what o does not own. The Vec
// itself is a value inside something o owns (a snapshot being built).
func (p *Vec[O, T]) Set(o *O, i uint64, v T) {
	l := i >> Bits
	if p.own != o {
		p.Dir = append([]*Leaf[O, T](nil), p.Dir...)
		p.own = o
	}
	if l >= uint64(len(p.Dir)) {
		p.Dir = append(p.Dir, make([]*Leaf[O, T], int(l)+1-len(p.Dir))...)
	}
	leaf := Own(o, p.Dir[l])
	p.Dir[l] = leaf
	leaf.V[i&(LeafSize-1)] = v
	p.size = max(p.size, int(i)+1)
}
