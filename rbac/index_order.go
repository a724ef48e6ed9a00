package rbac

import (
	"slices"
	"sync/atomic"
)

// displayOrder is the order in which admin screens list a snapshot's
// permissions: the catalog's, then the others by first use. Computing it
// costs a map lookup per permission, so each snapshot keeps it once
// computed, for its permissions and a generation of the catalog; the
// snapshots that follow share it until a new permission appears.
type displayOrder struct {
	catalogGen uint64
	byRank     []permID     // the snapshot's permissions in display order
	full       []Permission // what a full-access account holds: the catalog, then the others
}

// orderCache holds a snapshot's display order; snapshots with the same
// permissions share one.
type orderCache struct{ p atomic.Pointer[displayOrder] }

func (s *snapshot) displayOrder(c *Catalog) *displayOrder {
	gen := c.gen.Load()
	if o := s.order.p.Load(); o != nil && o.catalogGen == gen {
		return o
	}
	o := &displayOrder{catalogGen: gen}
	seen := make([]bool, len(s.perms))
	for _, p := range c.Permissions() {
		o.full = append(o.full, p)
		if pid, ok := s.permIDs[p]; ok && !seen[pid] {
			seen[pid] = true
			o.byRank = append(o.byRank, pid)
		}
	}
	for pid, p := range s.perms {
		if !seen[pid] {
			o.byRank = append(o.byRank, permID(pid))
			o.full = append(o.full, p)
		}
	}
	o.full = slices.Clip(o.full)
	s.order.p.Store(o)
	return o
}
