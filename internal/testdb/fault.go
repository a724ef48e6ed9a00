package testdb

import (
	"sync/atomic"
	"testing"

	"gorm.io/gorm"
)

const faultPluginName = "testdb:fault"

// faultPlugin runs a test's hook before every SQL statement. Its callbacks
// are registered once, when the store is opened: registering GORM
// callbacks later races with the goroutines already using the store (the
// PostgreSQL listener's catch-up reads), so tests swap the hook instead.
type faultPlugin struct {
	hook atomic.Pointer[func(*gorm.DB)]
}

func (*faultPlugin) Name() string { return faultPluginName }

func (p *faultPlugin) Initialize(db *gorm.DB) error {
	run := func(db *gorm.DB) {
		if fn := p.hook.Load(); fn != nil {
			(*fn)(db)
		}
	}
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().Before("gorm:create").Register(faultPluginName, run),
		cb.Query().Before("gorm:query").Register(faultPluginName, run),
		cb.Update().Before("gorm:update").Register(faultPluginName, run),
		cb.Delete().Before("gorm:delete").Register(faultPluginName, run),
		cb.Raw().Before("gorm:raw").Register(faultPluginName, run),
		cb.Row().Before("gorm:row").Register(faultPluginName, run),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// SetFault makes fn run before every SQL statement of db, a store's handle
// opened by this package (nil removes it). It is safe while the store is in
// use; fn may add an error to the statement or cancel its context.
func SetFault(tb testing.TB, db *gorm.DB, fn func(*gorm.DB)) {
	tb.Helper()
	p, ok := db.Config.Plugins[faultPluginName].(*faultPlugin)
	if !ok {
		tb.Fatal("testdb: SetFault on a store not opened by testdb")
	}
	if fn == nil {
		p.hook.Store(nil)
		return
	}
	p.hook.Store(&fn)
}
