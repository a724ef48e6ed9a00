package explore_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/billingrbac/billingrbac/internal/explore"
)

// counter is a space of integers 0..max where an operation adds its value;
// a step past max does not move.
type counter struct {
	max, restores, steps int
}

func (c *counter) Key(s int) string  { return fmt.Sprint(s) }
func (c *counter) Restore(s int) int { c.restores++; return s }
func (c *counter) Step(s, o int) (int, bool) {
	c.steps++
	if s+o > c.max {
		return s, false
	}
	return s + o, true
}

func TestBreadthVisitsEachReachableStateOnce(t *testing.T) {
	c := &counter{max: 5}
	seen := explore.Breadth[int, int](c, 0, []int{1, 2}, 2)
	assert.Equal(t, map[string]bool{"0": true, "1": true, "2": true, "3": true, "4": true}, seen)
	// Level 0 runs both operations from 0; level 1 both from 1 and from 2.
	assert.Equal(t, 6, c.steps)

	c = &counter{max: 5}
	seen = explore.Breadth[int, int](c, 0, []int{1, 2}, 10)
	assert.Len(t, seen, 6, "every reachable state, and the search ends")
	assert.Empty(t, explore.Breadth[int, int](&counter{}, 0, []int{1}, 0)["1"], "depth 0 explores nothing")
}
