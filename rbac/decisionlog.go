package rbac

import (
	"context"
	"log/slog"
	"math"
	"strings"
	"sync/atomic"
)

// Decision logging: when Options.DecisionLog is set, Can, Check and
// Explain each send a structured record of their decision to it, for a
// sampled fraction of calls. When it is nil (the default) the only cost on
// those paths is one nil check.
//
// A record is an Info-level message "billingrbac decision" with the
// attributes:
//
//	op          "can", "check" or "explain"
//	staff       the staff ID (int64)
//	permission  "function:action"
//	result      "allow" or "deny"
//	reason      "full access", "department 3", "direct grant" (comma
//	            separated when several), "disabled", or "missing"
//	version     the policy version the decision was made at

// decisionLogger samples and writes decision records. It is safe for
// concurrent use.
type decisionLogger struct {
	log  *slog.Logger
	rate float64 // in (0, 1)
	all  bool    // rate is 1: no sampling
	n    atomic.Uint64
}

// newDecisionLogger returns nil when l is nil: decision logging is off.
// rate is the fraction of decisions logged; 0 means all. Other values out
// of (0, 1] are refused with an error wrapping ErrInvalid.
func newDecisionLogger(l *slog.Logger, rate float64) (*decisionLogger, error) {
	if math.IsNaN(rate) || rate < 0 || rate > 1 {
		var fe fieldErrors
		fe.add("decision_sample_rate", "range", "must be between 0 and 1 (0 means every decision), got %v", rate)
		return nil, fe.err("new service")
	}
	if l == nil {
		return nil, nil
	}
	return &decisionLogger{log: l, rate: rate, all: rate == 0 || rate == 1}, nil
}

// sample reports whether this decision is logged. It is deterministic:
// of n consecutive decisions, floor(n × rate) are logged, evenly spread.
func (dl *decisionLogger) sample() bool {
	if dl.all {
		return true
	}
	n := dl.n.Add(1)
	return uint64(float64(n)*dl.rate) != uint64(float64(n-1)*dl.rate)
}

// record logs one decision when sampled. d is the decision when the
// caller has it already; otherwise it is computed here, off the caller's
// fast path.
func (s *Service) logDecision(op string, snap *snapshot, id StaffID, p Permission, allowed bool, d *Decision) {
	dl := s.dlog
	if !dl.sample() {
		return
	}
	ctx := context.Background()
	if !dl.log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	if d == nil {
		dd := snap.explain(id, p)
		d = &dd
	}
	result := "deny"
	if allowed {
		result = "allow"
	}
	dl.log.LogAttrs(ctx, slog.LevelInfo, "billingrbac decision",
		slog.String("op", op),
		slog.Int64("staff", int64(id)),
		slog.String("permission", p.String()),
		slog.String("result", result),
		slog.String("reason", decisionReason(d)),
		slog.Int64("version", snap.version),
	)
}

// decisionReason is the short reason of a record.
func decisionReason(d *Decision) string {
	switch {
	case d.Allowed:
		parts := make([]string, len(d.Sources))
		for i, src := range d.Sources {
			parts[i] = src.String()
		}
		return strings.Join(parts, ", ")
	case d.Disabled:
		return "disabled"
	}
	return "missing"
}
