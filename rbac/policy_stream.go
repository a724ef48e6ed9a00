package rbac

import (
	"context"
	"time"
)

// PolicyStreamer is an optional capability of a Store (package store's
// has it): LoadPolicy's rules handed over in batches while they are read,
// so a cold start builds the decision index as the rows arrive and never
// holds the whole policy as one slice. The slice given to batch is reused
// between calls: batch must not keep it. An error from batch ends the
// read and is returned.
type PolicyStreamer interface {
	StreamPolicy(ctx context.Context, batch func([]Rule) error) (version int64, err error)
}

// TxPolicyStreamer is the same capability of a Tx: Tx.LoadPolicy in
// batches, inside the write lock (a reload after a mismatch uses it).
type TxPolicyStreamer interface {
	StreamPolicy(batch func([]Rule) error) error
}

// streamTx hands tx's policy to batch, in batches when tx can.
func streamTx(tx Tx, batch func([]Rule) error) error {
	if ts, ok := tx.(TxPolicyStreamer); ok {
		return ts.StreamPolicy(batch)
	}
	rules, err := tx.LoadPolicy()
	if err != nil {
		return err
	}
	return batch(rules)
}

// loadStore reads st's policy and builds its snapshot, in batches when st
// can.
func loadStore(ctx context.Context, st Store, clock func() time.Time) (*snapshot, error) {
	if ps, ok := st.(PolicyStreamer); ok {
		var version int64
		next, err := buildStreamed(func(batch func([]Rule) error) error {
			var err error
			version, err = ps.StreamPolicy(ctx, batch)
			return err
		}, clock)
		if err != nil {
			return nil, err
		}
		next.version = version
		return next, nil
	}
	rules, version, err := st.LoadPolicy(ctx)
	if err != nil {
		return nil, err
	}
	return buildSnapshot(rules, version, clock), nil
}

// buildStreamed builds a snapshot from a whole policy handed over in
// batches by stream. Each batch is applied on another goroutine while
// stream reads the next: at a million staff, reading and parsing the rows
// and applying them take about the same time, one core each.
func buildStreamed(stream func(batch func([]Rule) error) error, clock func() time.Time) (*snapshot, error) {
	b := newFreshBuilder(clock)
	const buffers = 2
	free := make(chan []Rule, buffers)
	full := make(chan []Rule, buffers)
	for range buffers {
		free <- nil
	}
	done := make(chan struct{})
	var crash any // a panic of the applying goroutine, raised again below
	go func() {
		defer close(done)
		defer func() {
			if crash = recover(); crash != nil {
				for rs := range full { // let the reader run to its end
					free <- rs[:0]
				}
			}
		}()
		for rs := range full {
			for _, r := range rs {
				b.apply(r, true)
			}
			free <- rs[:0]
		}
	}()
	err := stream(func(rs []Rule) error {
		buf := append(<-free, rs...)
		full <- buf
		return nil
	})
	close(full)
	<-done
	if crash != nil {
		// In the caller's goroutine, as buildSnapshot would have: a
		// store's transaction rolls back on it.
		panic(crash)
	}
	if err != nil {
		return nil, err
	}
	return b.finish(), nil
}
