package engine

import "sync"

// Event is what a subscription receives: one entry applied to this
// instance's snapshots (its own write or another instance's), or a
// reload, after which any state derived from earlier events must be
// re-read because what changed is not known entry by entry.
type Event struct {
	Entry  Entry // the applied entry; zero for a reload
	Reload bool
	Head   Head // the head after the event
}

// Subscription delivers events in the order they were applied, without
// dropping any: a slow reader makes its own queue grow, never the engine
// wait. T is what the subscriber's convert function makes of an Event.
type Subscription[T any] struct {
	e       *Engine
	convert func(Event) T
	c       chan T

	mu    sync.Mutex
	queue []Event
	wake  chan struct{}
	done  chan struct{}
	once  sync.Once
	exit  chan struct{}
}

// Subscribe returns a subscription to every event from now on; convert
// runs on the subscription's own goroutine. Close it when done; Engine.Close
// closes every subscription.
func Subscribe[T any](e *Engine, convert func(Event) T) *Subscription[T] {
	s := &Subscription[T]{e: e, convert: convert, c: make(chan T),
		wake: make(chan struct{}, 1), done: make(chan struct{}), exit: make(chan struct{})}
	e.subMu.Lock()
	if e.closed.Load() {
		e.subMu.Unlock()
		close(s.done)
		close(s.exit)
		close(s.c)
		return s
	}
	e.subs[s] = struct{}{}
	e.subMu.Unlock()
	go s.pump()
	return s
}

// C is the channel events arrive on; it is closed by Close.
func (s *Subscription[T]) C() <-chan T { return s.c }

// Close stops the subscription and closes C. Events not yet received are
// dropped.
func (s *Subscription[T]) Close() {
	s.once.Do(func() {
		s.e.subMu.Lock()
		delete(s.e.subs, s)
		s.e.subMu.Unlock()
		close(s.done)
	})
	<-s.exit
}

func (s *Subscription[T]) push(ev []Event) {
	s.mu.Lock()
	s.queue = append(s.queue, ev...)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Subscription[T]) pump() {
	defer func() {
		close(s.c)
		close(s.exit)
	}()
	for {
		select {
		case <-s.done:
			return
		case <-s.wake:
		}
		s.mu.Lock()
		batch := s.queue
		s.queue = nil
		s.mu.Unlock()
		for _, ev := range batch {
			select {
			case s.c <- s.convert(ev):
			case <-s.done:
				return
			}
		}
	}
}

// subscriber is what the engine keeps of a subscription.
type subscriber interface {
	push([]Event)
	Close()
}

// deliver queues events for every subscription; applyMu is held, so
// events are queued in the order they are applied.
func (e *Engine) deliver(es []Entry, reload bool, head Head) {
	e.subMu.Lock()
	defer e.subMu.Unlock()
	if len(e.subs) == 0 {
		return
	}
	var evs []Event
	if reload {
		evs = []Event{{Reload: true, Head: head}}
	} else {
		evs = make([]Event, len(es))
		for i, en := range es {
			evs[i] = Event{Entry: en, Head: Head{Version: en.Version, Hash: en.Hash}}
		}
	}
	for s := range e.subs {
		s.push(evs)
	}
}

// closeSubscriptions ends every subscription (Engine.Close).
func (e *Engine) closeSubscriptions() {
	e.subMu.Lock()
	subs := make([]subscriber, 0, len(e.subs))
	for s := range e.subs {
		subs = append(subs, s)
	}
	e.subMu.Unlock()
	for _, s := range subs {
		s.Close()
	}
}
