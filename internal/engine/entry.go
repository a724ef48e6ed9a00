package engine

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// ActorKind says who made a change.
type ActorKind uint8

// Actor kinds.
const (
	ActorSystem     ActorKind = iota // bootstrap, migrations, the billing system
	ActorStaff                       // a staff member
	ActorClientUser                  // a user of a client account
)

var actorKindNames = [...]string{ActorSystem: "system", ActorStaff: "staff", ActorClientUser: "cuser"}

// String returns "system", "staff" or "cuser": the form stored in the log.
func (k ActorKind) String() string {
	if int(k) < len(actorKindNames) {
		return actorKindNames[k]
	}
	return "actor(" + strconv.Itoa(int(k)) + ")"
}

// ParseActorKind parses the stored form of an actor kind.
func ParseActorKind(s string) (ActorKind, bool) {
	for k, n := range actorKindNames {
		if n == s {
			return ActorKind(k), true
		}
	}
	return 0, false
}

// Actor is who made a change: its kind and its ID in that kind (0 for the
// system).
type Actor struct {
	Kind ActorKind
	ID   int64
}

// Head identifies the last entry of a log: its version and its hash. The
// empty log has the zero Head.
type Head struct {
	Version int64
	Hash    string
}

// Entry is one committed change of any domain: the unit of the change log
// and of the audit trail.
type Entry struct {
	Version int64
	Hash    string // Chain(hash of Version-1, this entry)
	Domain  string // "staff", "clients", "tasks"
	At      time.Time
	Actor   Actor
	Op      string
	Target  string
	Before  json.RawMessage // the target before the change; null when created
	After   json.RawMessage // the target after the change; null when deleted
	Reason  string
	// Rules are the domain's policy rules added and removed (and whatever
	// else its snapshot needs to apply the change), in the domain's own
	// encoding: the engine stores and hashes them, the domain decodes them.
	Rules json.RawMessage
	// Effect is what the change does to everyone's permissions and control
	// of accounts, as the domain's authorization computed it (null until a
	// domain fills it).
	Effect json.RawMessage

	// Local is the in-memory form of Rules on the instance that staged
	// the change, so applying its own commit decodes nothing. It is never
	// stored or hashed.
	Local any
}

func orNull(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("null")
	}
	return b
}

// normalize makes the stored form canonical: UTC microseconds, null for
// absent JSON.
func (e *Entry) normalize() {
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.Before, e.After = orNull(e.Before), orNull(e.After)
	e.Rules, e.Effect = orNull(e.Rules), orNull(e.Effect)
}

// Chain returns the hash of e following an entry of hash prev: SHA-256 over
// prev and every stored field of e, each length-prefixed, in hex. A
// different change under the same version, or the same change after a
// different history, has a different hash.
func Chain(prev string, e Entry) string {
	var stack [1024]byte // most entries fit: one hash call, no allocation
	b := appendField(stack[:0], prev)
	b = appendNum(b, e.Version)
	b = appendField(b, e.Domain)
	b = appendNum(b, e.At.UnixMicro())
	b = appendField(b, e.Actor.Kind.String())
	b = appendNum(b, e.Actor.ID)
	b = appendField(b, e.Op)
	b = appendField(b, e.Target)
	b = appendField(b, e.Before)
	b = appendField(b, e.After)
	b = appendField(b, e.Reason)
	b = appendField(b, e.Rules)
	b = appendField(b, e.Effect)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// appendField appends v to what Chain hashes, prefixed by its length.
func appendField[T ~string | ~[]byte](b []byte, v T) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(len(v)))
	return append(b, v...)
}

// appendNum appends v in decimal as a field.
func appendNum(b []byte, v int64) []byte {
	var n [20]byte
	return appendField(b, strconv.AppendInt(n[:0], v, 10))
}
