package tasks_test

import (
	"errors"
	"testing"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/tasks"
)

func TestRouting(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b, tasks.Options{})
		domains := e.dept("Domains", language.English)
		manual := e.dept("Manual provisioning", language.English)
		off := e.dept("Closed desk", language.English)
		e.disable(off)
		if err := e.ts.SetRouting([]tasks.Rule{
			{Module: "manual", Department: manual},
			{Module: "legacy", Department: off},
			{Module: "legacy", Department: domains},
			{Module: "ghost", Department: 9999},
			{ProductType: "domain", Department: domains},
			{ProductType: "vds", Department: off},
		}, e.supp); err != nil {
			t.Fatal(err)
		}
		type want struct {
			dept  rbac.DepartmentID
			route tasks.Route
		}
		in := func(module, product string, explicit rbac.DepartmentID) tasks.NewTask {
			n := suspend("s1", explicit)
			n.Module, n.Service.ProductType = module, product
			return n
		}
		cases := []struct {
			name string
			in   tasks.NewTask
			want want
		}{
			{"by module", in("manual", "domain", 0), want{manual, tasks.RouteModule}},
			{"module matching ignores case", in("MANUAL", "", 0), want{manual, tasks.RouteModule}},
			{"by product type", in("registrar", "domain", 0), want{domains, tasks.RouteProductType}},
			{"explicit wins over rules", in("manual", "domain", e.sales), want{e.sales, tasks.RouteExplicit}},
			{"default", in("registrar", "ssl", 0), want{e.supp, tasks.RouteDefault}},
			{"disabled explicit department is skipped", in("manual", "", off), want{manual, tasks.RouteModule}},
			{"missing explicit department is skipped", in("", "domain", 12345), want{domains, tasks.RouteProductType}},
			{"disabled module rule is skipped for the next", in("legacy", "", 0), want{domains, tasks.RouteModule}},
			{"missing module rule is skipped", in("ghost", "", 0), want{e.supp, tasks.RouteDefault}},
			{"disabled product type rule is skipped", in("", "vds", 0), want{e.supp, tasks.RouteDefault}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				task := e.generate(tc.in)
				if task.Department != tc.want.dept || task.RoutedBy != tc.want.route {
					t.Errorf("routed to %s by %s, want %s by %s", task.Department, task.RoutedBy, tc.want.dept, tc.want.route)
				}
				if task.Department == off {
					t.Errorf("routed to the disabled department")
				}
			})
		}

		// No active candidate at all: nothing is stored.
		e.disable(e.supp)
		n := testdb.Count(t, e.st.DB(), "billingrbac_tasks")
		_, err := e.ts.Generate(e.ctx, in("ghost", "vds", off))
		var re *tasks.RouteError
		if !errors.Is(err, tasks.ErrNoDepartment) || !errors.As(err, &re) {
			t.Fatalf("err = %v, want ErrNoDepartment", err)
		}
		wantSkips := []tasks.Skip{
			{Route: tasks.RouteExplicit, Department: off, Reason: "is disabled"},
			{Route: tasks.RouteModule, Department: 9999, Reason: "does not exist"},
			{Route: tasks.RouteProductType, Department: off, Reason: "is disabled"},
			{Route: tasks.RouteDefault, Department: e.supp, Reason: "is disabled"},
		}
		if len(re.Skipped) != len(wantSkips) {
			t.Fatalf("skipped = %v, want %v", re.Skipped, wantSkips)
		}
		for i := range wantSkips {
			if re.Skipped[i] != wantSkips[i] {
				t.Errorf("skipped[%d] = %v, want %v", i, re.Skipped[i], wantSkips[i])
			}
		}
		if got := testdb.Count(t, e.st.DB(), "billingrbac_tasks"); got != n {
			t.Errorf("a failed generation stored a task: %d → %d", n, got)
		}
	})
}

func TestRoutingRulesValidation(t *testing.T) {
	e := newEnv(t, testdb.SQLite, tasks.Options{})
	err := e.ts.SetRouting([]tasks.Rule{
		{Module: "m", ProductType: "p", Department: 1},
		{Department: 1},
		{Module: "x"},
		{Module: "dup", Department: 1},
		{Module: "DUP", Department: 1},
		{Module: "dup", Department: 2},
	}, -1)
	var ve *rbac.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v", err)
	}
	for _, f := range []struct{ field, rule string }{
		{"routes[0]", "one_of"}, {"routes[1]", "one_of"}, {"routes[2].department", "required"},
		{"routes[4]", "unique"}, {"default_department", "format"},
	} {
		if !ve.Has(f.field, f.rule) {
			t.Errorf("missing %s (%s) in %v", f.field, f.rule, err)
		}
	}
	if len(ve.Fields) != 5 {
		t.Errorf("%d field errors, want 5: %v", len(ve.Fields), err)
	}
	rules, def := e.ts.Routing()
	if len(rules) != 0 || def != 0 {
		t.Errorf("a rejected routing was applied: %v %v", rules, def)
	}
	if _, err := tasks.New(e.svc, e.st, tasks.Options{Routes: []tasks.Rule{{Department: 1}}}); !errors.Is(err, rbac.ErrInvalid) {
		t.Errorf("New with a bad rule: %v", err)
	}
	// Without any rule or default, a task needs an explicit department.
	if _, err := e.ts.Generate(e.ctx, suspend("s", 0)); !errors.Is(err, tasks.ErrNoDepartment) {
		t.Errorf("no routing: %v", err)
	}
}
