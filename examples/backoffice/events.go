package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/billingrbac/billingrbac/rbac"
)

// followChanges ends sessions as the access-control changes arrive, from
// this server or any other one (svc.Subscribe delivers both): the
// sessions of a staff member who was disabled or deleted, and of one
// whose sign-in someone else changed (a password reset, a new login or
// e-mail, a linked subject: the change's Effect.Control). After a reload
// (the instance could not tell changes one by one) every session holder
// is checked again. It returns when sub is closed.
func followChanges(sub *rbac.Subscription, svc *rbac.Service, sessions *Sessions, log *slog.Logger) {
	end := func(id rbac.StaffID, why string) {
		if n := sessions.EndAll(id); n > 0 {
			log.Info("backoffice: sessions ended", "staff", id, "sessions", n, "why", why)
		}
	}
	for ev := range sub.C() {
		if ev.Reload {
			for _, id := range sessions.Holders() {
				st, err := svc.StaffMember(context.Background(), id)
				switch {
				case errors.Is(err, rbac.ErrNotFound):
					end(id, "deleted")
				case err != nil:
					end(id, "unknown after a reload") // fail closed
				case st.Status == rbac.StatusDisabled:
					end(id, "disabled")
				}
			}
			continue
		}
		ch := ev.Change
		for _, se := range ch.Effect.Staff {
			if se.After.Disabled && !se.Before.Disabled {
				end(se.Staff, "disabled")
			}
		}
		for _, id := range ch.Effect.Control {
			end(id, "sign-in changed by "+ch.Actor.String())
		}
		if ch.Op == rbac.OpStaffDelete {
			if id, ok := staffTarget(ch.Target); ok {
				end(id, "deleted")
			}
		}
	}
}

// staffTarget reads a change's target "staff:7".
func staffTarget(target string) (rbac.StaffID, bool) {
	s, ok := strings.CutPrefix(target, "staff:")
	if !ok {
		return 0, false
	}
	id, err := rbac.ParseStaffID(s)
	return id, err == nil
}
