package rbac_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// hostileStrings are inputs an attacker or a careless import would send:
// SQL metacharacters, NUL bytes, invalid UTF-8, bidi overrides, very long
// strings, Casbin's CSV separators and rule syntax, and names in several
// scripts (which must work).
var hostileStrings = []string{
	`'; DROP TABLE staff; --`,
	`" OR "1"="1`,
	`robert'); DELETE FROM casbin_rule; --`,
	"nul\x00byte",
	"\x00",
	"bad\xff\xfeutf8",
	"\u202eevil\u202c",
	"zero\u200bwidth",
	"comma,separated",
	`"quoted"`,
	"new\nline",
	"carriage\rreturn",
	"p, staff:1, invoices, view",
	"staff:1",
	`\N`,
	"%s%d%v",
	strings.Repeat("x", 99),
	strings.Repeat("x", 101),
	strings.Repeat("я", 128),
	strings.Repeat("я", 129),
	strings.Repeat("a", 100_000),
	"Иван Петров",
	"张伟",
	"محمد علي",
	"שלום עליכם",
	"Ελένη Παπαδοπούλου",
	"Nguyễn Văn A",
	"🙂 emoji",
}

// TestHostileInput sends every hostile string through every string field
// of every input: staff (login, full name in several languages, e-mail,
// phone, password), department names, schedule names and zones, change
// reasons, sign-in, and catalog function and action names. Each attempt
// either fails with a typed ErrInvalid (or ErrBadCredentials for sign-in)
// and changes nothing, or succeeds and reads back exactly as returned; in
// both cases the stored policy still loads and agrees with Casbin.
func TestHostileInput(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newAccountEnv(t, b, rbac.AccountOptions{})
		support := e.boot.Support.ID
		victim := e.staff("victim", support)
		watch := []rbac.StaffID{e.admin, victim}
		sch, err := e.svc.CreateSchedule(e.ctx, e.admin, supportHours())
		mustNoErr(t, err)

		type field struct {
			name string
			// do applies s and returns an error, or the value stored and
			// a function reading it back.
			do func(i int, s string) (stored string, read func() string, err error)
		}
		staffRead := func(id rbac.StaffID, get func(rbac.Staff) string) func() string {
			return func() string {
				st, err := e.svc.StaffMember(e.ctx, id)
				mustNoErr(t, err)
				return get(st)
			}
		}
		deptRead := func(id rbac.DepartmentID, tag language.Tag) func() string {
			return func() string {
				d, err := e.svc.Department(e.ctx, id)
				mustNoErr(t, err)
				return d.Name[tag]
			}
		}
		newStaff := func(i int, mut func(*rbac.NewStaff)) (rbac.Staff, error) {
			in := rbac.NewStaff{Login: fmt.Sprintf("h%d", i), FullName: rbac.Text(language.English, "Hostile"),
				Departments: []rbac.DepartmentID{support}}
			mut(&in)
			return e.svc.CreateStaff(e.ctx, e.admin, in)
		}
		var fields []field
		for _, tag := range []language.Tag{language.English, language.Arabic} {
			fields = append(fields,
				field{"staff full name " + tag.String(), func(i int, s string) (string, func() string, error) {
					st, err := newStaff(i, func(in *rbac.NewStaff) { in.FullName = rbac.LocalizedText{language.English: "H", tag: s} })
					return st.FullName[tag], staffRead(st.ID, func(x rbac.Staff) string { return x.FullName[tag] }), err
				}},
				field{"department name " + tag.String(), func(i int, s string) (string, func() string, error) {
					d, err := e.svc.CreateDepartment(e.ctx, e.admin, rbac.NewDepartment{Name: rbac.LocalizedText{language.English: fmt.Sprint("D", i), tag: s}})
					return d.Name[tag], deptRead(d.ID, tag), err
				}},
				field{"department rename " + tag.String(), func(i int, s string) (string, func() string, error) {
					d, err := e.svc.UpdateDepartment(e.ctx, e.admin, support, rbac.DepartmentUpdate{Name: rbac.LocalizedText{language.English: fmt.Sprint("Support ", i), tag: s + "·"}})
					return d.Name[tag], deptRead(support, tag), err
				}},
			)
		}
		fields = append(fields,
			field{"staff login", func(i int, s string) (string, func() string, error) {
				st, err := newStaff(i, func(in *rbac.NewStaff) { in.Login = s })
				return st.Login, staffRead(st.ID, func(x rbac.Staff) string { return x.Login }), err
			}},
			field{"staff e-mail", func(i int, s string) (string, func() string, error) {
				st, err := newStaff(i, func(in *rbac.NewStaff) { in.Email = s })
				return st.Email, staffRead(st.ID, func(x rbac.Staff) string { return x.Email }), err
			}},
			field{"staff phone", func(i int, s string) (string, func() string, error) {
				st, err := newStaff(i, func(in *rbac.NewStaff) { in.Phone = s })
				return st.Phone, staffRead(st.ID, func(x rbac.Staff) string { return x.Phone }), err
			}},
			field{"staff password", func(i int, s string) (string, func() string, error) {
				st, err := newStaff(i, func(in *rbac.NewStaff) { in.Password = s })
				if err != nil {
					return "", nil, err
				}
				if _, err := e.svc.Authenticate(e.ctx, st.Login, s); err != nil {
					t.Fatalf("password %q accepted but does not sign in: %v", s, err)
				}
				return "", func() string { return "" }, nil
			}},
			field{"update e-mail", func(i int, s string) (string, func() string, error) {
				st, err := e.svc.UpdateStaff(e.ctx, e.admin, victim, rbac.StaffUpdate{Email: &s})
				return st.Email, staffRead(victim, func(x rbac.Staff) string { return x.Email }), err
			}},
			field{"update login", func(i int, s string) (string, func() string, error) {
				st, err := e.svc.UpdateStaff(e.ctx, e.admin, victim, rbac.StaffUpdate{Login: &s})
				return st.Login, staffRead(victim, func(x rbac.Staff) string { return x.Login }), err
			}},
			field{"schedule name", func(i int, s string) (string, func() string, error) {
				h := supportHours()
				h.Name = s
				out, err := e.svc.CreateSchedule(e.ctx, e.admin, h)
				return out.Schedule.Name, func() string {
					got, err := e.svc.Schedule(e.ctx, out.ID)
					mustNoErr(t, err)
					return got.Schedule.Name
				}, err
			}},
			field{"schedule zone", func(i int, s string) (string, func() string, error) {
				h := supportHours()
				h.Zone = s
				out, err := e.svc.UpdateSchedule(e.ctx, e.admin, sch.ID, h)
				return out.Schedule.Zone, func() string {
					got, err := e.svc.Schedule(e.ctx, sch.ID)
					mustNoErr(t, err)
					return got.Schedule.Zone
				}, err
			}},
			field{"change reason", func(i int, s string) (string, func() string, error) {
				err := e.svc.Grant(rbac.WithReason(e.ctx, s), e.admin, victim, pReports)
				if err == nil {
					err = e.svc.Revoke(e.ctx, e.admin, victim, pReports)
				}
				return s, func() string {
					chs, err := e.svc.AuditLog(e.ctx, e.admin, rbac.ChangeQuery{AfterVersion: e.svc.Version() - 2, Limit: 1})
					mustNoErr(t, err)
					return chs[0].Reason
				}, err
			}},
		)

		// A refused attempt changes nothing, so each attempt's "after" is
		// the next one's "before".
		before, quick := captureAll(t, e, watch), quickState(t, e, watch)
		for fi, f := range fields {
			t.Run(f.name, func(t *testing.T) {
				for si, s := range hostileStrings {
					i := fi*1000 + si
					stored, read, err := f.do(i, s)
					switch {
					case errors.Is(err, rbac.ErrInvalid):
						var ve *rbac.ValidationError
						if !errors.As(err, &ve) || len(ve.Fields) == 0 || ve.Fields[0].Rule == "" {
							t.Fatalf("%.40q: untyped invalid error %v", s, err)
						}
						// Every write moves the stored version: checking it (and
						// the decisions) per attempt is enough here; every table
						// is compared once the field's attempts are done.
						if q := quickState(t, e, watch); q != quick {
							t.Fatalf("%.40q: refused but changed state:\n%s\n%s", s, quick, q)
						}
						continue
					case err != nil:
						t.Fatalf("%.40q: err = %v, want success or ErrInvalid", s, err)
					default:
						if got := read(); got != stored {
							t.Fatalf("%.40q: stored %.60q, read back %.60q", s, stored, got)
						}
					}
					before, quick = captureAll(t, e, watch), quickState(t, e, watch)
				}
				if d := before.diff(captureAll(t, e, watch)); d != "" {
					t.Fatalf("refused attempts changed %s", d)
				}
				// The stored policy still loads and means what the index says.
				all, err := e.svc.StaffMembers(e.ctx)
				mustNoErr(t, err)
				ids := []rbac.StaffID{}
				for _, s := range all {
					ids = append(ids, s.ID)
				}
				agree(t, e.svc, storedEnforcer(t, e.st), ids, e.svc.Catalog().Permissions())
			})
		}

		t.Run("sign-in", func(t *testing.T) {
			before := captureAll(t, e, watch)
			for _, s := range hostileStrings {
				if _, err := e.svc.Authenticate(e.ctx, s, s); !errors.Is(err, rbac.ErrBadCredentials) {
					t.Fatalf("Authenticate(%.40q): %v, want ErrBadCredentials", s, err)
				}
				if d := before.diff(captureAll(t, e, watch)); d != "" {
					t.Fatalf("failed sign-in changed %s", d)
				}
			}
		})

		t.Run("catalog names", func(t *testing.T) {
			for _, s := range hostileStrings {
				if err := e.svc.Catalog().Register(rbac.Function(s), s, rbac.ActView); !errors.Is(err, rbac.ErrInvalid) {
					t.Fatalf("Register(%.40q) = %v, want ErrInvalid", s, err)
				}
				if err := e.svc.Catalog().Register("hostile", s, rbac.Action(s)); !errors.Is(err, rbac.ErrInvalid) {
					t.Fatalf("Register action %.40q = %v, want ErrInvalid", s, err)
				}
			}
			// The longest legal names fit Casbin's 100-character rule fields
			// and round-trip through the stored policy.
			long := rbac.Perm(rbac.Function("f"+strings.Repeat("x", 31)), rbac.Action("a"+strings.Repeat("-", 31)))
			mustNoErr(t, e.svc.Catalog().Register(long.Function, "Long", long.Action))
			mustNoErr(t, e.svc.Grant(e.ctx, e.admin, victim, long))
			d := e.dept("Long names", long)
			mustNoErr(t, e.svc.AddToDepartment(e.ctx, e.admin, victim, d))
			agree(t, e.svc, storedEnforcer(t, e.st), []rbac.StaffID{e.admin, victim}, []rbac.Permission{long, pReports})
			rules, _, err := e.st.LoadPolicy(e.ctx)
			mustNoErr(t, err)
			n := 0
			for _, r := range rules {
				if r.Permission == long {
					n++
				}
			}
			if n != 2 {
				t.Fatalf("%d stored rules name %s, want 2", n, long)
			}
		})
	})
}

// quickState is the stored version, the in-memory version and the watched
// staff members' decisions.
func quickState(t *testing.T, e *env, watch []rbac.StaffID) string {
	t.Helper()
	var v int64
	mustNoErr(t, e.st.DB().Raw(`SELECT version FROM billingrbac_state WHERE id = 1`).Scan(&v).Error)
	var b strings.Builder
	fmt.Fprintf(&b, "stored %d, memory %d;", v, e.svc.Version())
	for _, id := range watch {
		for _, p := range e.svc.Catalog().Permissions() {
			fmt.Fprintf(&b, "%t,", e.svc.Can(id, p))
		}
	}
	return b.String()
}
