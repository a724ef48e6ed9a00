//go:build race

package clients_test

// raceEnabled: the race detector slows every query several times; the
// exploration keeps to its cheaper form under it.
const raceEnabled = true
