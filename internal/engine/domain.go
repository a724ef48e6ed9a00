package engine

// Domain is one kind of state the engine keeps current on every instance:
// an in-memory snapshot built from the domain's rows and rules and moved
// forward by change-log entries. Its methods are called with the engine's
// apply lock held, one at a time; the returned publish functions too.
type Domain interface {
	// Name is the domain's name in the change log ("staff", "clients").
	Name() string
	// Apply prepares the snapshot after es, this domain's entries of one
	// consecutive batch ending at version (ascending). It returns the
	// function that publishes it; an error (an entry it cannot apply)
	// makes the engine reload every domain instead.
	Apply(es []Entry, version int64) (publish func(), err error)
	// Load reads the domain's whole state inside tx (the version lock is
	// held: the state is the one of tx.Prev()) and returns the function
	// that publishes it.
	Load(tx Tx) (publish func(), err error)
}

// Stage is a domain's staged change inside a write: its rows are written
// while staging, its rules when the engine calls Persist.
type Stage interface {
	// Empty reports that the staged change changes nothing: the write
	// rolls back and records nothing.
	Empty() bool
	// Authorize is the pre-commit check of the staged change as a whole
	// (the last full-access guard today, authorization by effect next):
	// a refusal rolls everything back.
	Authorize() error
	// Persist writes the staged policy rules in tx.
	Persist(tx Tx) error
	// Entry returns the change-log entry: Domain, Actor, Op, Target,
	// Before, After, Reason, Rules, Effect (and Local). The engine sets
	// Version, At and Hash.
	Entry() Entry
}
