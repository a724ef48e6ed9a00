package store_test

import (
	"strings"
	"testing"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/store"
)

func TestChannelNames(t *testing.T) {
	for schema, want := range map[string]string{
		"":       "billingrbac",
		"public": "billingrbac",
		"t_ab12": "billingrbac_t_ab12",
	} {
		if got := store.ChannelFor(schema); got != want {
			t.Errorf("ChannelFor(%q) = %q, want %q", schema, got, want)
		}
	}
	long := strings.Repeat("s", 60)
	got := store.ChannelFor(long)
	if len(got) > 63 || !strings.HasPrefix(got, "billingrbac_") || got == store.ChannelFor(long+"x") {
		t.Errorf("ChannelFor(60 characters) = %q: want a distinct name within 63 bytes", got)
	}
	// Each test schema gets its own channel; SQLite has none.
	for _, b := range testdb.Backends(t) {
		st := testdb.New(t, b)
		switch {
		case b == testdb.SQLite && st.Channel() != "":
			t.Errorf("SQLite store has channel %q", st.Channel())
		case b == testdb.Postgres && !strings.HasPrefix(st.Channel(), "billingrbac_t_"):
			t.Errorf("PostgreSQL test store has channel %q, want one per schema", st.Channel())
		}
	}
}
