package avatar

import "context"

// Pool bounds how many uploads are decoded at once, each within the
// MaxPixels budget. The zero Pool is not usable: use NewPool.
type Pool struct{ slots chan struct{} }

// NewPool returns a Pool of n concurrent decodes (at least 1).
func NewPool(n int) *Pool { return &Pool{slots: make(chan struct{}, max(n, 1))} }

// Prepare is Prepare in one of the pool's slots, waiting for one as long
// as ctx allows (then ctx's error). An upload Check refuses takes no slot.
func (p *Pool) Prepare(ctx context.Context, data []byte) (string, []byte, *Violation, error) {
	if _, v := Check(data); v != nil {
		return "", nil, v, nil
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return "", nil, nil, ctx.Err()
	}
	defer func() { <-p.slots }()
	return Prepare(data)
}
