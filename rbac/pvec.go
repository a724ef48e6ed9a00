package rbac

// pvec is an immutable array indexed by small integers, in leaves of
// pvecLeaf entries under one directory, with the same copy-on-write
// discipline as idset: setting an entry copies at most the directory
// (one pointer per pvecLeaf entries) and one leaf, never the whole array.
// The zero pvec is empty; reading past its end gives the zero value.
type pvec[T any] struct {
	own  *owner
	dir  []*pleaf[T]
	size int // one past the highest index ever set
}

const (
	pvecBits = 8
	pvecLeaf = 1 << pvecBits
)

type pleaf[T any] struct {
	own *owner
	v   [pvecLeaf]T
}

func (p *pvec[T]) at(i uint64) T {
	if l := i >> pvecBits; l < uint64(len(p.dir)) {
		if leaf := p.dir[l]; leaf != nil {
			return leaf.v[i&(pvecLeaf-1)]
		}
	}
	var zero T
	return zero
}

func (p *pvec[T]) len() int { return p.size }

// set stores v at i, copying on first write what o does not own. The pvec
// itself is a value inside something o owns (a snapshot being built).
func (p *pvec[T]) set(o *owner, i uint64, v T) {
	l := i >> pvecBits
	if p.own != o {
		p.dir = append([]*pleaf[T](nil), p.dir...)
		p.own = o
	}
	if l >= uint64(len(p.dir)) {
		p.dir = append(p.dir, make([]*pleaf[T], int(l)+1-len(p.dir))...)
	}
	leaf := p.dir[l]
	switch {
	case leaf == nil:
		leaf = &pleaf[T]{own: o}
		p.dir[l] = leaf
	case leaf.own != o:
		c := *leaf
		c.own = o
		leaf = &c
		p.dir[l] = leaf
	}
	leaf.v[i&(pvecLeaf-1)] = v
	p.size = max(p.size, int(i)+1)
}
