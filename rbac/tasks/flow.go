package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/billingrbac/billingrbac/internal/engine"
	"github.com/billingrbac/billingrbac/rbac"
)

// Tasks on the change flow (internal/engine): every generation and
// transition is one change of the tasks domain, in the one version
// sequence and change log, made inside the version lock after every
// domain caught up, so the actor is authorized against the current staff
// state.

// Operations the tasks domain records in the change log.
const (
	OpGenerate rbac.Operation = "task.generate"
	OpTake     rbac.Operation = "task.take"
	OpRelease  rbac.Operation = "task.release"
	OpClose    rbac.Operation = "task.close"
	OpCancel   rbac.Operation = "task.cancel"
)

// Tx is the tasks side of one write transaction of the rbac.Store (see
// Store.TaskTx).
type Tx interface {
	// CreateTask inserts t (t.ID is zero) and sets t.ID.
	CreateTask(t *Task) error
	// Task reads one task. Errors: rbac.ErrNotFound.
	Task(id ID) (Task, error)
	// Transition is Store.Transition inside the transaction.
	Transition(tr Transition) (Task, error)
}

// stage is one staged task change: the engine.Stage of the tasks domain.
type stage struct {
	tx     Tx
	actor  rbac.StaffID // SystemActor for Generate
	op     rbac.Operation
	task   Task
	before *taskState
	reason string
	done   bool
}

// taskState is what the change log keeps of a task: not its rendered
// texts.
type taskState struct {
	Kind       Kind              `json:"kind"`
	Department rbac.DepartmentID `json:"department"`
	Status     string            `json:"status"`
	Performer  rbac.StaffID      `json:"performer,omitempty"`
}

func stateOf(t Task) *taskState {
	return &taskState{Kind: t.Kind, Department: t.Department, Status: t.Status.String(), Performer: t.Performer}
}

func (w *stage) Empty() bool             { return !w.done }
func (w *stage) Authorize() error        { return nil }
func (w *stage) Persist(engine.Tx) error { return nil }

func (w *stage) Entry() engine.Entry {
	a := engine.Actor{Kind: engine.ActorStaff, ID: int64(w.actor)}
	if w.actor == rbac.SystemActor {
		a.Kind = engine.ActorSystem
	}
	js := func(v *taskState) json.RawMessage {
		if v == nil {
			return nil
		}
		b, _ := json.Marshal(v) // plain values always encode
		return b
	}
	return engine.Entry{Domain: string(rbac.DomainTasks), Actor: a, Op: string(w.op),
		Target: "task:" + w.task.ID.String(), Before: js(w.before), After: js(stateOf(w.task)), Reason: w.reason}
}

// write runs fn as one change of the tasks domain; fn reads and changes
// the task through w.tx and sets w.task. A refused or failed change rolls
// back and records nothing.
func (s *Service) write(ctx context.Context, actor rbac.StaffID, op rbac.Operation, fn func(w *stage) error) (Task, error) {
	if s.eng.Closed() {
		return Task{}, rbac.ErrClosed
	}
	reason, err := rbac.ReasonOf(ctx)
	if err != nil {
		return Task{}, err
	}
	w, _, err := engine.Write(ctx, s.eng, func(tx engine.Tx) (*stage, error) {
		w := &stage{actor: actor, op: op, reason: reason}
		ttx, err := s.store.TaskTx(tx.Raw().(rbac.Tx))
		if err != nil {
			return w, err
		}
		w.tx = ttx
		if err := fn(w); err != nil {
			return w, err
		}
		w.done = true
		return w, nil
	})
	switch {
	case errors.Is(err, engine.ErrClosed):
		return Task{}, rbac.ErrClosed
	case errors.Is(err, engine.ErrDryRun):
		return w.task, nil // rbac.WithDryRun: the plan holds the change, nothing is stored
	case err != nil:
		return Task{}, err
	}
	return w.task, nil
}

// load reads task id inside the change, for op.
func (w *stage) load(op string, id ID) (Task, error) {
	if id <= 0 {
		return Task{}, &rbac.ValidationError{Op: op, Fields: []rbac.FieldError{{Field: "id", Rule: "format", Message: "must be a positive task id"}}}
	}
	t, err := w.tx.Task(id)
	if err != nil {
		return Task{}, fmt.Errorf("%s %s: %w", op, id, err)
	}
	w.before = stateOf(t)
	w.task = t
	return t, nil
}

func (w *stage) transition(op string, tr Transition) error {
	t, err := w.tx.Transition(tr)
	if err != nil {
		return fmt.Errorf("%s %s: %w", op, tr.ID, err)
	}
	w.task = t
	return nil
}
