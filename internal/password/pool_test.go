package password_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/password"
)

var cheap = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// The memory in evaluation never exceeds the budget: with 2 slots, 32
// concurrent hashes run at most 2 at a time, and one needing more than the
// budget runs alone.
func TestPoolBoundsMemory(t *testing.T) {
	pool := password.NewPool(2, cheap)
	var mu sync.Mutex
	var inUse, peak int64
	var n int
	pool.Observe(func(p password.Params) func() {
		mu.Lock()
		defer mu.Unlock()
		n++
		inUse += int64(p.Memory)
		peak = max(peak, inUse)
		return func() { mu.Lock(); inUse -= int64(p.Memory); mu.Unlock() }
	})
	big := cheap
	big.Memory = 1024 // more than the budget of 2 × 64 KiB
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			p := cheap
			if i%8 == 0 {
				p = big
			}
			h, err := pool.Hash(context.Background(), "pw", p)
			assert.NoError(t, err)
			ok, got, err := pool.Verify(context.Background(), "pw", h)
			assert.NoError(t, err)
			assert.True(t, ok)
			assert.Equal(t, p, got.Params)
		})
	}
	wg.Wait()
	assert.Equal(t, 64, n)
	assert.LessOrEqual(t, peak, max(pool.Budget(), int64(big.Memory)), "peak %d KiB", peak)
	assert.Equal(t, int64(128), pool.Budget())
}

// A waiting evaluation gives up with its context and does nothing.
func TestPoolHonoursContext(t *testing.T) {
	pool := password.NewPool(1, cheap)
	ran := 0
	pool.Observe(func(password.Params) func() { ran++; return nil })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := pool.Hash(ctx, "pw", cheap)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, pool.Work(ctx, cheap), context.Canceled)
	require.Zero(t, ran)
}

// A malformed hash costs no evaluation; out-of-range parameters neither.
func TestPoolRefusesWithoutWork(t *testing.T) {
	pool := password.NewPool(1, cheap)
	ran := 0
	pool.Observe(func(password.Params) func() { ran++; return nil })
	_, _, err := pool.Verify(context.Background(), "pw", "$argon2id$v=19$m=1,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	require.ErrorIs(t, err, password.ErrMalformed)
	_, err = pool.Hash(context.Background(), "pw", password.Params{})
	var pe *password.ParamsError
	require.ErrorAs(t, err, &pe)
	require.Zero(t, ran)
}

// Pad brings a cheaper evaluation's work up to the current one's.
func TestPad(t *testing.T) {
	cur := password.Default()
	for _, stored := range []password.Params{
		cheap, {Memory: 8192, Time: 1, Threads: 1}, {Memory: 19456, Time: 1, Threads: 4}, {Memory: 12000, Time: 3, Threads: 1},
	} {
		pad, ok := password.Pad(stored, cur)
		require.True(t, ok, "%+v", stored)
		require.Empty(t, pad.Check())
		got := stored.Work() + pad.Work()
		assert.GreaterOrEqual(t, got, cur.Work())
		assert.Less(t, got-cur.Work(), uint64(cur.Time)+8, "stored %+v padded by %+v", stored, pad)
	}
	_, ok := password.Pad(cur, cur)
	assert.False(t, ok)
	_, ok = password.Pad(password.Params{Memory: 65536, Time: 3, Threads: 1}, cur)
	assert.False(t, ok, "a costlier stored hash cannot be padded down")
}
