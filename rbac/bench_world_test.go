package rbac_test

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/casbin/casbin/v2"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// Scales of the benchmarks. Every scale uses the same realistic catalog:
// 50 functions × 4 actions = 200 permissions; a department holds 10-60 of
// them, drawn with a skew (Zipf exponent 0.35) so that a few permissions are
// held by about half of the departments, as "view" permissions are in a
// real panel, and the tail by a few percent. Each staff member is in 1-3
// departments, 10% have 1-3 direct grants, 0.1% full access, 1% disabled.
type scale struct {
	name         string
	depts, staff int
}

var scales = []scale{
	{"S", 10, 100},
	{"M", 100, 10_000},
	{"L", 1_000, 100_000},
}

const (
	catalogFunctions = 50
	catalogSize      = catalogFunctions * 4
	deptMinPerms     = 10
	deptMaxPerms     = 60
	skew             = 0.35
)

// world is a generated policy and request mixes over it.
type world struct {
	scale
	perms    []rbac.Permission // the catalog, most popular first
	rules    []rbac.Rule
	memberOf map[rbac.StaffID][]rbac.DepartmentID
	deptPerm map[rbac.DepartmentID][]rbac.Permission
	allowed  []request // 4,096 requests the policy allows
	denied   []request // 4,096 it denies
	mixed    []request // both, interleaved as drawn
	cold     []request // 65,536 requests, staff uniform over everybody
	hot      []request // 4,096 requests over 64 staff members
}

type request struct {
	staff rbac.StaffID
	perm  rbac.Permission
}

func generate(sc scale, seed uint64) *world {
	rng := rand.New(rand.NewPCG(seed, 1))
	w := &world{scale: sc, memberOf: map[rbac.StaffID][]rbac.DepartmentID{}, deptPerm: map[rbac.DepartmentID][]rbac.Permission{}}
	for i := range catalogFunctions {
		for _, a := range []rbac.Action{"view", "add", "edit", "delete"} {
			w.perms = append(w.perms, rbac.Perm(rbac.Function(fmt.Sprintf("fn%d", i)), a))
		}
	}
	// Weighted sampling without replacement (Efraimidis-Spirakis): the
	// k largest u^(1/weight), weight of the j-th permission 1/(j+1)^skew.
	type keyed struct {
		j   int
		key float64
	}
	keys := make([]keyed, catalogSize)
	for d := 1; d <= sc.depts; d++ {
		id := rbac.DepartmentID(d)
		for j := range keys {
			keys[j] = keyed{j, math.Pow(rng.Float64(), math.Pow(float64(j+1), skew))}
		}
		slices.SortFunc(keys, func(a, b keyed) int { return cmp.Compare(b.key, a.key) })
		for _, k := range keys[:deptMinPerms+rng.IntN(deptMaxPerms-deptMinPerms+1)] {
			p := w.perms[k.j]
			w.deptPerm[id] = append(w.deptPerm[id], p)
			w.rules = append(w.rules, rbac.GrantRule(rbac.DepartmentSubject(id), p))
		}
	}
	for s := 1; s <= sc.staff; s++ {
		id := rbac.StaffID(s)
		seen := map[rbac.DepartmentID]bool{}
		for range 1 + rng.IntN(3) {
			d := rbac.DepartmentID(1 + rng.IntN(sc.depts))
			if !seen[d] {
				seen[d] = true
				w.memberOf[id] = append(w.memberOf[id], d)
				w.rules = append(w.rules, rbac.MemberRule(id, d))
			}
		}
		if rng.IntN(10) == 0 {
			for range 1 + rng.IntN(3) {
				w.rules = append(w.rules, rbac.GrantRule(rbac.StaffSubject(id), w.perms[rng.IntN(catalogSize)]))
			}
		}
		if s == 1 || rng.IntN(1000) == 0 {
			w.rules = append(w.rules, rbac.FlagRule(rbac.StaffSubject(id), rbac.FlagFullAccess))
		}
		if s > 1 && rng.IntN(100) == 0 {
			w.rules = append(w.rules, rbac.FlagRule(rbac.StaffSubject(id), rbac.FlagDisabled))
		}
	}
	w.rules = dedupe(w.rules)
	return w
}

func dedupe(rules []rbac.Rule) []rbac.Rule {
	seen := make(map[rbac.Rule]bool, len(rules))
	out := rules[:0]
	for _, r := range rules {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// draw returns one request: half the time a permission of one of the staff
// member's departments, otherwise any catalog permission.
func (w *world) draw(rng *rand.Rand, s rbac.StaffID) request {
	if ds := w.memberOf[s]; len(ds) > 0 && rng.IntN(2) == 0 {
		dp := w.deptPerm[ds[rng.IntN(len(ds))]]
		return request{s, dp[rng.IntN(len(dp))]}
	}
	return request{s, w.perms[rng.IntN(len(w.perms))]}
}

// requests draws the request mixes, classified by the library's decision
// (which the fixture checks against every baseline).
func (w *world) requests(can func(request) bool, n int) {
	rng := rand.New(rand.NewPCG(42, 2))
	for len(w.allowed) < n || len(w.denied) < n {
		r := w.draw(rng, rbac.StaffID(1+rng.IntN(w.staff)))
		if can(r) {
			if len(w.allowed) < n {
				w.allowed = append(w.allowed, r)
				w.mixed = append(w.mixed, r)
			}
		} else if len(w.denied) < n {
			w.denied = append(w.denied, r)
			w.mixed = append(w.mixed, r)
		}
	}
	for range 1 << 16 {
		w.cold = append(w.cold, w.draw(rng, rbac.StaffID(1+rng.IntN(w.staff))))
	}
	hot := make([]rbac.StaffID, 64)
	for i := range hot {
		hot[i] = rbac.StaffID(1 + rng.IntN(w.staff))
	}
	for range n {
		w.hot = append(w.hot, w.draw(rng, hot[rng.IntN(len(hot))]))
	}
}

// loadSQL writes the generated policy straight into a migrated database,
// in chunks, as the store would have written it change by change.
func loadSQL(tb testing.TB, st *store.Store, rules []rbac.Rule) {
	tb.Helper()
	var temporary []rbac.Rule
	permanent := rules[:0:0]
	for _, r := range rules {
		if r.Window.IsZero() {
			permanent = append(permanent, r)
		} else {
			temporary = append(temporary, r)
		}
	}
	lines, err := policy.Lines(permanent)
	if err != nil {
		tb.Fatal(err)
	}
	db := st.DB()
	const chunk = 1000
	err = db.Transaction(func(tx *gorm.DB) error {
		for _, r := range temporary { // as the store writes them (store/temporary.go)
			l, err := policy.ToLine(r)
			if err != nil {
				return err
			}
			v := append(l.Values, "", "")[:3]
			if err := tx.Exec("INSERT INTO billingrbac_temporary_rules (ptype, v0, v1, v2, valid_until) VALUES (?, ?, ?, ?, ?)",
				l.Ptype, v[0], v[1], v[2], r.Window.Until.UnixNano()).Error; err != nil {
				return err
			}
		}
		for i := 0; i < len(lines); i += chunk {
			var sb strings.Builder
			args := make([]any, 0, chunk*4)
			sb.WriteString("INSERT INTO billingrbac_casbin_rule (ptype, v0, v1, v2, v3, v4, v5) VALUES ")
			for j, l := range lines[i:min(i+chunk, len(lines))] {
				if j > 0 {
					sb.WriteString(",")
				}
				v := append(l.Values, "", "", "")[:3]
				sb.WriteString("(?, ?, ?, ?, '', '', '')")
				args = append(args, l.Ptype, v[0], v[1], v[2])
			}
			if err := tx.Exec(sb.String(), args...).Error; err != nil {
				return err
			}
		}
		return tx.Exec("UPDATE billingrbac_state SET version = 1 WHERE id = 1").Error
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// fixture is one scale loaded into SQLite, the Service on it, and the
// baselines over the same rules: what a user would build by hand (a map of
// effective-permission sets over all staff, a dense bitset) and Casbin.
type fixture struct {
	*world
	svc  *rbac.Service
	st   *store.Store
	sets mapSets
	bits *denseBits

	once           sync.Once
	casbinE, cache casbin.IEnforcer
}

// enforcers builds the Casbin baselines on first use (they are the
// expensive part of a fixture) and checks they agree with the library
// before anything is timed.
func (f *fixture) enforcers(b *testing.B) (plain, cached casbin.IEnforcer) {
	b.Helper()
	f.once.Do(func() {
		var err error
		if f.casbinE, err = policy.NewBulkEnforcer(f.rules, false); err != nil {
			b.Fatal(err)
		}
		if f.cache, err = policy.NewBulkEnforcer(f.rules, true); err != nil {
			b.Fatal(err)
		}
		for _, r := range f.mixed[:256] {
			if want := enforce(f.casbinE, r); want != f.svc.Can(r.staff, r.perm) {
				b.Fatalf("%s %s: casbin %v, library %v", r.staff, r.perm, want, !want)
			}
		}
	})
	if f.casbinE == nil {
		b.Fatal("Casbin baselines failed to build")
	}
	return f.casbinE, f.cache
}

var (
	fixturesMu sync.Mutex
	fixtures   = map[string]*fixture{}
)

func getFixture(b *testing.B, sc scale) *fixture {
	b.Helper()
	fixturesMu.Lock()
	defer fixturesMu.Unlock()
	if f := fixtures[sc.name]; f != nil {
		return f
	}
	ctx := context.Background()
	w := generate(sc, 7)
	dir, err := os.MkdirTemp("", "billingrbac-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	st, err := store.Open(ctx, dir+"/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	loadSQL(b, st, w.rules)
	svc, err := rbac.New(ctx, st, rbac.Options{})
	if err != nil {
		b.Fatal(err)
	}
	f := &fixture{world: w, svc: svc, st: st, sets: newMapSets(w), bits: newDenseBits(w)}
	w.requests(func(r request) bool { return svc.Can(r.staff, r.perm) }, 4096)
	for _, reqs := range [][]request{w.mixed, w.cold, w.hot} {
		for _, r := range reqs {
			want := svc.Can(r.staff, r.perm)
			if f.sets.can(r) != want || f.bits.can(r) != want {
				b.Fatalf("%s %s: library %v, map of sets %v, bitset %v", r.staff, r.perm, want, f.sets.can(r), f.bits.can(r))
			}
		}
	}
	fixtures[sc.name] = f
	return f
}

func enforce(e casbin.IEnforcer, r request) bool {
	ok, _ := e.Enforce(policy.Staff(r.staff), string(r.perm.Function), string(r.perm.Action))
	return ok
}

// eachEffective computes every staff member's effective permissions from
// the generated rules, independently of the library, and calls fn with
// them (the slice is reused): full access holds the whole catalog,
// disabled accounts hold nothing.
func (w *world) eachEffective(fn func(rbac.StaffID, []rbac.Permission)) {
	full, disabled := map[rbac.StaffID]bool{}, map[rbac.StaffID]bool{}
	direct := map[rbac.StaffID][]rbac.Permission{}
	for _, r := range w.rules {
		switch {
		case r.Kind == rbac.RuleFlag && r.Flag == rbac.FlagFullAccess:
			full[r.Subject.Staff] = true
		case r.Kind == rbac.RuleFlag && r.Flag == rbac.FlagDisabled:
			disabled[r.Subject.Staff] = true
		case r.Kind == rbac.RuleGrant && r.Subject.Staff != 0:
			direct[r.Subject.Staff] = append(direct[r.Subject.Staff], r.Permission)
		}
	}
	var ps []rbac.Permission
	for s := 1; s <= w.staff; s++ {
		id := rbac.StaffID(s)
		switch {
		case disabled[id]:
			fn(id, nil)
		case full[id]:
			fn(id, w.perms)
		default:
			ps = append(ps[:0], direct[id]...)
			for _, d := range w.memberOf[id] {
				ps = append(ps, w.deptPerm[d]...)
			}
			fn(id, ps)
		}
	}
}

// mapSets is the baseline a user would write first: every staff member's
// effective permissions as a set, in a map over all staff.
type mapSets map[rbac.StaffID]map[rbac.Permission]struct{}

func newMapSets(w *world) mapSets {
	m := mapSets{}
	w.eachEffective(func(id rbac.StaffID, ps []rbac.Permission) {
		set := make(map[rbac.Permission]struct{}, len(ps))
		for _, p := range ps {
			set[p] = struct{}{}
		}
		m[id] = set
	})
	return m
}

func (m mapSets) can(r request) bool {
	_, ok := m[r.staff][r.perm]
	return ok
}

// denseBits is the fastest baseline a user would write: permission numbers
// from a map, one row of bits per staff ID in one flat array.
type denseBits struct {
	index map[rbac.Permission]uint32
	words int
	rows  []uint64
	staff int
}

func newDenseBits(w *world) *denseBits {
	d := &denseBits{index: map[rbac.Permission]uint32{}, words: (len(w.perms) + 63) / 64, staff: w.staff}
	for i, p := range w.perms {
		d.index[p] = uint32(i)
	}
	d.rows = make([]uint64, (w.staff+1)*d.words)
	w.eachEffective(func(id rbac.StaffID, ps []rbac.Permission) {
		for _, p := range ps {
			i := d.index[p]
			d.rows[int(id)*d.words+int(i>>6)] |= 1 << (i & 63)
		}
	})
	return d
}

func (d *denseBits) can(r request) bool {
	i, ok := d.index[r.perm]
	if !ok || uint64(r.staff) > uint64(d.staff) {
		return false
	}
	return d.rows[int(r.staff)*d.words+int(i>>6)]&(1<<(i&63)) != 0
}

// whoCan scans every row: the dense baseline's "who can".
func (d *denseBits) whoCan(p rbac.Permission) []rbac.StaffID {
	i, ok := d.index[p]
	if !ok {
		return nil
	}
	var out []rbac.StaffID
	w, bit := int(i>>6), uint64(1)<<(i&63)
	for id := 1; id <= d.staff; id++ {
		if d.rows[id*d.words+w]&bit != 0 {
			out = append(out, rbac.StaffID(id))
		}
	}
	return out
}

// count is the dense baseline's "how many can".
func (d *denseBits) count(p rbac.Permission) int {
	i, ok := d.index[p]
	if !ok {
		return 0
	}
	n := 0
	w, bit := int(i>>6), uint64(1)<<(i&63)
	for id := 1; id <= d.staff; id++ {
		if d.rows[id*d.words+w]&bit != 0 {
			n++
		}
	}
	return n
}
