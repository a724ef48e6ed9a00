package password

// Params are Argon2id parameters; rbac.HashParams converts to and from
// them (same fields, same order).
type Params struct {
	Memory  uint32 // KiB, at least 8 per thread
	Time    uint32 // passes, 1 to MaxTime
	Threads uint8  // lanes, at least 1
	SaltLen uint32 // bytes, 8 to 64
	KeyLen  uint32 // bytes, 16 to 64
}

// Default returns OWASP's recommended Argon2id parameters: 19 MiB, 2
// passes, 1 lane, a 16-byte salt and a 32-byte key.
func Default() Params {
	return Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Limits on Params. The memory cap bounds what a tampered stored hash can
// make a verification allocate.
const (
	MaxMemory = 4 << 20 // KiB: 4 GiB
	MaxTime   = 100
)

// Violation is one broken rule: the field (a sub-field of Params, or "" for
// the password itself), the rule and a message for a person.
type Violation struct {
	Field, Rule, Message string
}

// Check returns every parameter out of range.
func (p Params) Check() []Violation {
	var out []Violation
	if p.Threads == 0 {
		out = append(out, Violation{"threads", "min", "must be at least 1"})
	}
	if p.Memory < 8*uint32(max(p.Threads, 1)) || p.Memory > MaxMemory {
		out = append(out, Violation{"memory", "range", "must be 8 KiB per thread to 4194304 KiB"})
	}
	if p.Time == 0 || p.Time > MaxTime {
		out = append(out, Violation{"time", "range", "must be 1 to 100 passes"})
	}
	if p.SaltLen < 8 || p.SaltLen > 64 {
		out = append(out, Violation{"salt_len", "range", "must be 8 to 64 bytes"})
	}
	if p.KeyLen < 16 || p.KeyLen > 64 {
		out = append(out, Violation{"key_len", "range", "must be 16 to 64 bytes"})
	}
	return out
}

// Work is the Argon2id work of one evaluation at p, in KiB-passes: what a
// verification costs whatever the password, and what the timing of a
// sign-in reveals. Lanes share the work, so Threads does not change it.
func (p Params) Work() uint64 { return uint64(p.Memory) * uint64(p.Time) }

// Pad returns the parameters of the evaluation that brings the work of one
// at stored up to one at current (same passes and lanes as current, memory
// for the difference, at least the minimum of 8 KiB a lane), and false
// when stored is not cheaper than current: nothing to pad.
func Pad(stored, current Params) (Params, bool) {
	if stored.Work() >= current.Work() {
		return Params{}, false
	}
	return padArgon(current.Work()-stored.Work(), current), true
}

// padArgon returns the parameters of one evaluation of at least diff
// KiB-passes (at most current.Work()) shaped like current.
func padArgon(diff uint64, current Params) Params {
	mem := (diff + uint64(current.Time) - 1) / uint64(current.Time)
	mem = max(mem, 8*uint64(current.Threads))
	return Params{Memory: uint32(mem), Time: current.Time, Threads: current.Threads, SaltLen: current.SaltLen, KeyLen: current.KeyLen}
}
