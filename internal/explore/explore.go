// Package explore is the breadth-first search the authorization tests of
// every domain run over their small universes: every operation from every
// reachable state, to a depth, each state visited once.
package explore

// Space is what a search walks. S is a state as captured from the
// database and the decisions; O an operation.
type Space[S, O any] interface {
	// Key names a state canonically: states with the same key are one.
	Key(s S) string
	// Restore makes the database hold s again and returns it as captured.
	Restore(s S) S
	// Step runs o from s, the current state, checks the invariants, and
	// returns the state reached and whether the database moved.
	Step(s S, o O) (S, bool)
}

// Breadth explores from start to depth (0: nothing) with ops, and returns
// the keys of every state it reached, start included.
func Breadth[S, O any](sp Space[S, O], start S, ops []O, depth int) map[string]bool {
	seen := map[string]bool{sp.Key(start): true}
	frontier := []S{start}
	for level := 0; level < depth && len(frontier) > 0; level++ {
		var next []S
		for _, s := range frontier {
			cur := sp.Restore(s)
			for _, o := range ops {
				after, moved := sp.Step(cur, o)
				if !moved {
					cur = after // the step checked that nothing moved
					continue
				}
				if k := sp.Key(after); !seen[k] {
					seen[k] = true
					next = append(next, after)
				}
				cur = sp.Restore(s)
			}
		}
		frontier = next
	}
	return seen
}
