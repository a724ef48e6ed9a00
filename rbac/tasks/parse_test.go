package tasks_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/tasks"
)

func TestParseIDAndStatus(t *testing.T) {
	for _, s := range []string{"", "0", "-1", "01", "1.5", "x", "9223372036854775808", " 1"} {
		if _, err := tasks.ParseID(s); !errors.Is(err, rbac.ErrInvalid) {
			t.Errorf("ParseID(%q) = %v, want ErrInvalid", s, err)
		}
	}
	if id, err := tasks.ParseID("42"); err != nil || id != 42 || id.String() != "42" {
		t.Errorf("ParseID(42) = %v, %v", id, err)
	}
	for _, st := range []tasks.Status{tasks.StatusNew, tasks.StatusInProgress, tasks.StatusDone, tasks.StatusCancelled} {
		got, err := tasks.ParseStatus(st.String())
		if err != nil || got != st || !st.Valid() {
			t.Errorf("ParseStatus(%q) = %v, %v", st, got, err)
		}
	}
	for _, s := range []string{"", "New", "status(0)", "closed"} {
		if _, err := tasks.ParseStatus(s); !errors.Is(err, rbac.ErrInvalid) {
			t.Errorf("ParseStatus(%q) = %v", s, err)
		}
	}
	if tasks.Status(0).Valid() || tasks.Status(5).Valid() || tasks.Status(0).String() != "status(0)" {
		t.Error("out-of-range status")
	}
}

func TestArgJSON(t *testing.T) {
	args := tasks.Args{
		"s": tasks.String(""), "i": tasks.Int(0), "neg": tasks.Int(-7), "d": tasks.Decimal(0, 0), "m": tasks.Decimal(12.345, 3),
		"day": tasks.Date(time.Date(2026, 2, 28, 23, 30, 0, 0, time.FixedZone("X", 5*3600))),
	}
	b, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	var back tasks.Args
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if len(back) != len(args) {
		t.Fatalf("round trip %s: %v", b, back)
	}
	for k, v := range args {
		if back[k] != v {
			t.Errorf("%s: %v → %v (%s)", k, v.Text(), back[k].Text(), b)
		}
	}
	if back["day"].Text() != "2026-02-28" {
		t.Errorf("date in its own zone: %s", back["day"].Text())
	}
	for _, bad := range []string{`{}`, `{"d":"2026-13-01"}`, `"x"`, `{"s":1}`} {
		var a tasks.Arg
		if err := json.Unmarshal([]byte(bad), &a); err == nil {
			t.Errorf("unmarshal %s: no error", bad)
		}
	}
	if _, err := json.Marshal(tasks.Arg{}); err == nil {
		t.Error("marshal an empty Arg: no error")
	}
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{"1", "0", "-1", "01", "9223372036854775807"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := tasks.ParseID(s)
		if err != nil {
			if !errors.Is(err, rbac.ErrInvalid) {
				t.Fatalf("ParseID(%q): %v", s, err)
			}
			return
		}
		if id <= 0 || id.String() != s {
			t.Fatalf("ParseID(%q) = %d", s, id)
		}
	})
}

// FuzzNewTaskValidate: Validate never panics, always answers
// ErrInvalid with named fields or nil, and accepts its own output.
func FuzzNewTaskValidate(f *testing.F) {
	f.Add("manual", "suspend", "manual", "vps-1", "vds", "Acme", int64(1), "months", "x")
	f.Add("", "", "", "", "", "", int64(-1), "service", "\x00")
	f.Fuzz(func(t *testing.T, kind, op, module, name, ptype, client string, id int64, argName, argVal string) {
		in := tasks.NewTask{Kind: tasks.Kind(kind), Operation: tasks.Operation(op), Module: module,
			Service: tasks.ServiceRef{ID: id, Name: name, ProductType: ptype}, Client: tasks.ClientRef{ID: id, Name: client},
			Department: rbac.DepartmentID(id), Args: tasks.Args{argName: tasks.String(argVal)}}
		err := in.Validate()
		if err == nil {
			if err := in.Validate(); err != nil {
				t.Fatalf("valid input no longer valid after normalizing: %v", err)
			}
			return
		}
		var ve *rbac.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) == 0 || !errors.Is(err, rbac.ErrInvalid) {
			t.Fatalf("Validate: %v", err)
		}
		for _, fe := range ve.Fields {
			if fe.Field == "" || fe.Rule == "" {
				t.Fatalf("unnamed field error %+v", fe)
			}
		}
	})
}
