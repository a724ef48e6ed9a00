package tasks_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/tasks"
)

// TestEveryTaskTransitionIsAudited: generating, taking, releasing, closing
// and cancelling a task are in the action log with their actor (the
// system for generation) and target; refused and conflicting transitions
// record nothing.
func TestEveryTaskTransitionIsAudited(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b, tasks.Options{})
		ann := e.staff("ann", e.supp)
		outsider := e.staff("outsider", e.sales)
		type entry struct {
			op     rbac.Operation
			actor  rbac.StaffID
			target string
		}
		var want []entry
		log := func(op rbac.Operation, actor rbac.StaffID, id tasks.ID) {
			want = append(want, entry{op, actor, "task:" + id.String()})
		}
		one := e.generate(suspend("vps-1", e.supp))
		log(tasks.OpGenerate, rbac.SystemActor, one.ID)
		two := e.generate(suspend("vps-2", e.supp))
		log(tasks.OpGenerate, rbac.SystemActor, two.ID)
		_, err := e.ts.Take(e.ctx, ann, one.ID)
		require.NoError(t, err)
		log(tasks.OpTake, ann, one.ID)
		_, err = e.ts.Release(e.ctx, ann, one.ID)
		require.NoError(t, err)
		log(tasks.OpRelease, ann, one.ID)
		_, err = e.ts.Close(e.ctx, ann, one.ID)
		require.NoError(t, err)
		log(tasks.OpClose, ann, one.ID)
		_, err = e.ts.Cancel(e.ctx, e.admin, two.ID)
		require.NoError(t, err)
		log(tasks.OpCancel, e.admin, two.ID)

		// Refused and conflicting: nothing recorded.
		three := e.generate(suspend("vps-3", e.supp))
		log(tasks.OpGenerate, rbac.SystemActor, three.ID)
		_, err = e.ts.Take(e.ctx, outsider, three.ID)
		require.ErrorIs(t, err, rbac.ErrPermissionDenied)
		_, err = e.ts.Close(e.ctx, ann, one.ID)
		require.ErrorIs(t, err, rbac.ErrConflict)
		_, err = e.ts.Release(e.ctx, ann, three.ID)
		require.ErrorIs(t, err, rbac.ErrConflict)
		_, err = e.ts.Take(e.ctx, ann, 9999)
		require.ErrorIs(t, err, rbac.ErrNotFound)

		chs, err := e.svc.AuditLog(e.ctx, e.admin, rbac.ChangeQuery{Domain: rbac.DomainTasks})
		require.NoError(t, err)
		var got []entry
		for _, c := range chs {
			require.Equal(t, rbac.DomainTasks, c.Domain)
			got = append(got, entry{c.Op, c.Actor, c.Target})
		}
		require.Equal(t, want, got)
		mine, err := e.svc.AuditLog(e.ctx, e.admin, rbac.ChangeQuery{Actor: &ann, Domain: rbac.DomainTasks})
		require.NoError(t, err)
		require.Len(t, mine, 3)
		sys := rbac.SystemActor
		gen, err := e.svc.AuditLog(e.ctx, e.admin, rbac.ChangeQuery{Actor: &sys, Op: tasks.OpGenerate})
		require.NoError(t, err)
		require.Len(t, gen, 3)
	})
}
