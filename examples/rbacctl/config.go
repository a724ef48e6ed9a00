package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/hours"
)

// configVersion is the version of the YAML configuration format.
const configVersion = 1

// config is the whole access configuration as YAML: what a migration from
// another panel writes and what a review in git reads. It carries no
// secrets (no passwords, no avatars) and no IDs: departments and schedules
// are named, staff are logins, so that an export of an import is the same
// file.
type config struct {
	Version     int                `yaml:"version"`
	Schedules   []configSchedule   `yaml:"schedules,omitempty"`
	Departments []configDepartment `yaml:"departments"`
	Staff       []configStaff      `yaml:"staff"`
}

// configSchedule is a stored schedule in hours.Schedule's JSON form.
type configSchedule map[string]any

type configDepartment struct {
	Name                  map[string]string `yaml:"name"` // by language; the default language's name is its key
	Disabled              bool              `yaml:"disabled,omitempty"`
	AcceptsClientRequests bool              `yaml:"accepts_client_requests,omitempty"`
	TaskLanguage          string            `yaml:"task_language,omitempty"`
	SortOrder             int               `yaml:"sort_order,omitempty"`
	Permissions           []string          `yaml:"permissions,flow"`
	Schedule              string            `yaml:"schedule,omitempty"` // a schedule's name
	ResponseTarget        string            `yaml:"response_target,omitempty"`
}

type configStaff struct {
	Login       string            `yaml:"login"`
	Name        map[string]string `yaml:"name"`
	Email       string            `yaml:"email,omitempty"`
	Phone       string            `yaml:"phone,omitempty"`
	Disabled    bool              `yaml:"disabled,omitempty"`
	FullAccess  bool              `yaml:"full_access,omitempty"`
	Departments []string          `yaml:"departments,flow"` // names in the default language
	Grants      []string          `yaml:"grants,flow,omitempty"`
	// PasswordHash is read by import only (export writes no secrets): a
	// new account keeps it (Argon2id PHC, or bcrypt with
	// BILLINGRBAC_LEGACY_BCRYPT_COST set).
	PasswordHash string `yaml:"password_hash,omitempty" json:"password_hash,omitempty"`
}

func configCommands() []*command {
	return []*command{
		{name: "config export", summary: "write the whole configuration (schedules, departments, permissions, staff without secrets) as YAML",
			flags: func(fs *flag.FlagSet) { fs.String("out", "-", `output file ("-": standard output)`) }, run: (*cli).configExport},
		{name: "config import", args: "FILE", summary: "make the database hold FILE's configuration (creates in batches, then updates, never deletes; '-': standard input)",
			flags: func(fs *flag.FlagSet) {
				fs.Int("batch", rbac.DefaultImportBatch, "new departments and staff members per change (1 to 10000)")
			}, run: (*cli).configImport},
	}
}

func (c *cli) configExport(args []string) error {
	if err := c.nargs(args, 0); err != nil {
		return err
	}
	if err := c.need(rbac.Perm(rbac.FuncDepartments, rbac.ActView), rbac.Perm(rbac.FuncStaff, rbac.ActView)); err != nil {
		return err
	}
	cfg, err := c.exportConfig()
	if err != nil {
		return err
	}
	w := c.out
	if p := c.str("out"); p != "-" {
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	if c.g.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(cfg)
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(cfg); err != nil {
		return err
	}
	return enc.Close()
}

func (c *cli) exportConfig() (config, error) {
	cfg := config{Version: configVersion, Departments: []configDepartment{}, Staff: []configStaff{}}
	lang := c.svc.DefaultLanguage()
	schedules, err := c.svc.Schedules(c.ctx)
	if err != nil {
		return config{}, err
	}
	schedName := map[rbac.ScheduleID]string{}
	for _, s := range schedules {
		if s.ID == rbac.AlwaysOpenSchedule {
			continue
		}
		schedName[s.ID] = s.Schedule.Name
		var m configSchedule
		b, err := json.Marshal(s.Schedule)
		if err == nil {
			err = json.Unmarshal(b, &m)
		}
		if err != nil {
			return config{}, fmt.Errorf("schedule %q: %w", s.Schedule.Name, err)
		}
		cfg.Schedules = append(cfg.Schedules, m)
	}
	ds, err := c.svc.Departments(c.ctx)
	if err != nil {
		return config{}, err
	}
	names := map[rbac.DepartmentID]string{}
	for _, d := range ds {
		names[d.ID] = d.Name.In(lang)
		h, err := c.svc.DepartmentHours(c.ctx, d.ID)
		if err != nil {
			return config{}, err
		}
		cd := configDepartment{Name: textMap(d.Name), Disabled: d.Status == rbac.StatusDisabled, AcceptsClientRequests: d.AcceptsClientRequests,
			SortOrder: d.SortOrder, Permissions: permStrings(c.svc.DepartmentPermissions(d.ID)), Schedule: schedName[h.Schedule]}
		if d.TaskLanguage != lang {
			cd.TaskLanguage = d.TaskLanguage.String()
		}
		if h.Target > 0 {
			cd.ResponseTarget = h.Target.String()
		}
		cfg.Departments = append(cfg.Departments, cd)
	}
	staff, err := c.svc.StaffMembers(c.ctx)
	if err != nil {
		return config{}, err
	}
	for _, st := range staff {
		cs := configStaff{Login: st.Login, Name: textMap(st.FullName), Email: st.Email, Phone: st.Phone,
			Disabled: st.Status == rbac.StatusDisabled, FullAccess: st.FullAccess, Departments: []string{},
			Grants: permStrings(c.svc.DirectGrants(st.ID))}
		for _, d := range st.Departments {
			cs.Departments = append(cs.Departments, names[d])
		}
		slices.Sort(cs.Departments)
		cfg.Staff = append(cfg.Staff, cs)
	}
	slices.SortFunc(cfg.Staff, func(a, b configStaff) int { return strings.Compare(a.Login, b.Login) })
	return cfg, nil
}

// readConfig decodes a configuration strictly: unknown fields are errors,
// so that a typo does not silently drop a setting.
func readConfig(r io.Reader) (config, error) {
	var cfg config
	dec := yaml.NewDecoder(io.LimitReader(r, maxConfigBytes+1))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return config{}, usagef("config: %v", err)
	}
	if cfg.Version != configVersion {
		return config{}, usagef("config: version: want %d, got %d", configVersion, cfg.Version)
	}
	return cfg, nil
}

// maxConfigBytes bounds what import reads (about 500,000 staff members).
const maxConfigBytes = 256 << 20

// schedule decodes a configSchedule into an hours.Schedule.
func (s configSchedule) schedule() (hours.Schedule, error) {
	var out hours.Schedule
	b, err := json.Marshal(map[string]any(s))
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	return out, err
}
