package clients

import (
	"maps"

	"github.com/billingrbac/billingrbac/internal/cow"
)

// table is one kind of entry of the index (clients, client users, roles)
// by ID, copy-on-write at a grain that does not grow with the
// installation: IDs below denseLimit sit in chunks of chunkSize entries
// under a cow.Vec (package internal/cow, the staff index's vector), so a
// write copies one chunk, one leaf of the vector and its directory (one
// pointer per 65,536 IDs); a published table is never changed. Other IDs
// (a restarted sequence, say: the store's sequences start at 1) are kept
// in a map copied whole when one of them is written.
type table[K ~int64, V any] struct {
	dense cow.Vec[owner, *chunk[V]] // by id >> chunkBits
	far   map[K]*V
}

// owner marks what a snapshot being built may change in place.
type owner struct{ _ byte }

const (
	chunkBits  = 8
	chunkSize  = 1 << chunkBits
	denseLimit = 1 << 26
)

type chunk[V any] struct {
	own *owner
	e   [chunkSize]*V
}

func (t *table[K, V]) get(k K) *V {
	if uint64(k) < denseLimit {
		if ch := t.dense.At(uint64(k) >> chunkBits); ch != nil {
			return ch.e[k&(chunkSize-1)]
		}
		return nil
	}
	return t.far[k]
}

// writer edits one table of the next snapshot copy-on-write: what o does
// not own is copied on first write.
type writer[K ~int64, V any] struct {
	t         *table[K, V]
	o         *owner
	farCopied bool
	own       map[K]bool // entries already copied for the next snapshot
	clone     func(*V) *V
}

func newWriter[K ~int64, V any](t *table[K, V], o *owner, clone func(*V) *V) *writer[K, V] {
	return &writer[K, V]{t: t, o: o, own: map[K]bool{}, clone: clone}
}

// put stores e (nil: none) at k.
func (w *writer[K, V]) put(k K, e *V) {
	if uint64(k) < denseLimit {
		i := uint64(k) >> chunkBits
		ch := w.t.dense.At(i)
		switch {
		case ch == nil && e == nil:
			return
		case ch == nil:
			ch = &chunk[V]{own: w.o}
			w.t.dense.Set(w.o, i, ch)
		case ch.own != w.o:
			c := *ch
			c.own = w.o
			ch = &c
			w.t.dense.Set(w.o, i, ch)
		}
		ch.e[k&(chunkSize-1)] = e
		return
	}
	if !w.farCopied {
		w.t.far = maps.Clone(w.t.far)
		if w.t.far == nil {
			w.t.far = map[K]*V{}
		}
		w.farCopied = true
	}
	if e == nil {
		delete(w.t.far, k)
	} else {
		w.t.far[k] = e
	}
}

// edit returns a private copy of the entry for k, creating it if absent.
func (w *writer[K, V]) edit(k K) *V {
	if w.own[k] {
		if e := w.t.get(k); e != nil {
			return e
		}
	}
	e := w.t.get(k)
	if e == nil {
		e = new(V)
	} else {
		e = w.clone(e)
	}
	w.put(k, e)
	w.own[k] = true
	return e
}

func (w *writer[K, V]) del(k K) {
	w.put(k, nil)
	delete(w.own, k)
}
