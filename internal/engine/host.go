package engine

// hostOf finds the engine a host value owns (the *rbac.Service an
// application creates). Package rbac sets it from its init function and
// nothing writes it afterwards, so reading it needs no lock. This is how
// the other domains (rbac/clients, rbac/tasks) reach the engine of the
// Service they are given, without an exported method showing internal
// types.
var hostOf func(host any) *Engine

// SetHost installs the function Of uses. Only package rbac calls it, from
// init.
func SetHost(f func(host any) *Engine) { hostOf = f }

// Of returns the engine that host owns, nil when it owns none.
func Of(host any) *Engine {
	if hostOf == nil || host == nil {
		return nil
	}
	return hostOf(host)
}
