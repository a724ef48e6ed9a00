package store

import (
	"context"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/rbac"
)

// AddRulesViaAdapterForTest writes rules with gorm-adapter's AddPolicies,
// the reference insertLines is tested against.
func (s *Store) AddRulesViaAdapterForTest(ctx context.Context, rules []rbac.Rule) error {
	lines, err := policy.Lines(rules)
	if err != nil {
		return err
	}
	a, err := adapter(ctx, s.db)
	if err != nil {
		return err
	}
	for _, l := range lines {
		if err := a.AddPolicies(l.Sec, l.Ptype, [][]string{l.Values}); err != nil {
			return err
		}
	}
	return nil
}

// RemoveRulesViaAdapterForTest deletes rules with gorm-adapter's
// RemovePolicy, one call a rule.
func (s *Store) RemoveRulesViaAdapterForTest(ctx context.Context, rules []rbac.Rule) error {
	lines, err := policy.Lines(rules)
	if err != nil {
		return err
	}
	a, err := adapter(ctx, s.db)
	if err != nil {
		return err
	}
	for _, l := range lines {
		if err := a.RemovePolicyCtx(ctx, l.Sec, l.Ptype, l.Values); err != nil {
			return err
		}
	}
	return nil
}
