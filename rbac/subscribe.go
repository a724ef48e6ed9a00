package rbac

import "github.com/billingrbac/billingrbac/internal/engine"

// Event is what a Subscription delivers: one change applied to this
// instance's decisions, of any domain (staff and departments, clients,
// tasks), whether this instance or another one made it; or a reload.
type Event struct {
	// Change is the applied change (zero for a reload).
	Change Change
	// Reload says the instance reloaded its whole state (the change log
	// had a gap or was not the log it had applied, as after a failover):
	// which changes happened is not known one by one, so re-check whatever
	// was derived from earlier events (e.g. every open session).
	Reload bool
	// Version is the instance's version after the event.
	Version int64
}

// Subscription is a stream of Events, in the order they were applied.
type Subscription struct {
	sub *engine.Subscription[Event]
}

// C returns the channel events arrive on. It is closed when the
// subscription or the Service is closed.
func (s *Subscription) C() <-chan Event { return s.sub.C() }

// Close stops the subscription and closes C.
func (s *Subscription) Close() { s.sub.Close() }

// Subscribe returns a subscription to every change applied on this
// instance from now on, local and remote: what an application needs to
// end the sessions of someone just disabled on any server. Nothing is
// dropped: a slow reader's queue grows (keep up, or Close). A change is
// delivered after the decisions serve it, so a check made on receipt
// sees it.
func (s *Service) Subscribe() *Subscription {
	return &Subscription{sub: engine.Subscribe(s.eng, func(ev engine.Event) Event {
		if ev.Reload {
			return Event{Reload: true, Version: ev.Head.Version}
		}
		return Event{Change: changeOf(ev.Entry), Version: ev.Head.Version}
	})}
}
