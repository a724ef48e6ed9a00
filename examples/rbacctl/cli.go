package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// Exit codes scripts can rely on.
const (
	exitOK     = 0 // success; for check: allowed
	exitDenied = 1 // check: denied
	exitUsage  = 2 // bad command, flag, argument or input
	exitError  = 3 // anything else: not found, refused, database
)

// usageError marks a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// denied is returned by check when the permission is missing.
var errDenied = errors.New("denied")

// globals are the flags every command takes.
type globals struct {
	db            string
	login         string
	passwordStdin bool
	json          bool
	reason        string
}

// command is one rbacctl command.
type command struct {
	name    string // "staff add"
	args    string // positional arguments, for the usage line
	summary string
	flags   func(fs *flag.FlagSet) // the command's own flags
	run     func(c *cli, args []string) error
	// noService: the command opens the store itself (migrate, bootstrap)
	// and needs no sign-in.
	noService bool
	// hidden commands are accepted but not listed (old names).
	hidden bool
	// standalone: the command opens no database of --db (test).
	standalone bool
}

// cli is one invocation's state.
type cli struct {
	ctx    context.Context
	in     io.Reader
	out    io.Writer
	errOut io.Writer
	env    func(string) string
	g      globals
	st     *store.Store
	svc    *rbac.Service
	me     rbac.Staff     // the signed-in operator
	values map[string]any // the command's flag values by name
}

func commands() []*command {
	var all []*command
	for _, group := range [][]*command{setupCommands(), departmentCommands(), permissionCommands(), staffCommands(),
		grantCommands(), decisionCommands(), reviewCommands(), logCommands(), configCommands(), migrationCommands(), {
			{name: "test", args: "FILE...", summary: "run policy test files (exit 0 all pass, 1 any failure); see docs/rbactest.md",
				standalone: true, flags: testFlags, run: (*cli).testCmd},
		}} {
		all = append(all, group...)
	}
	return all
}

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }
func (m *multi) Get() any           { return *m }

func globalFlags(fs *flag.FlagSet, g *globals) {
	fs.StringVar(&g.db, "db", "", `database: "" (the embedded file billingrbac.db), a SQLite path, ":memory:" or postgres://... (default $`+envDB+`)`)
	fs.StringVar(&g.login, "login", "", "sign in as this staff member (default $"+envLogin+")")
	fs.BoolVar(&g.passwordStdin, "password-stdin", false, "read the password from the first line of standard input (default: $"+envPassword+", else a prompt on the terminal)")
	fs.BoolVar(&g.json, "json", false, "print results as JSON, for scripts")
	fs.StringVar(&g.reason, "reason", "", "why: recorded with the changes in the action log")
}

const exitCodesHelp = `Exit codes: 0 ok (check: allowed), 1 check denied, 2 usage error, 3 other error.`

func mainUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: rbacctl [--db DSN] [--login LOGIN] [--json] [--reason WHY] COMMAND [flags] [args]\n\n")
	fmt.Fprintf(w, "Administers billingrbac staff access. Every command but migrate, bootstrap, migrations export and test signs in\n")
	fmt.Fprintf(w, "(--login or $%s; password from $%s, --password-stdin or a prompt). Commands:\n", envLogin, envPassword)
	for _, c := range commands() {
		if !c.hidden {
			fmt.Fprintf(w, "  %-24s %s\n", c.name, c.summary)
		}
	}
	fmt.Fprintf(w, "\nGlobal flags (also accepted after the command):\n")
	fs := flag.NewFlagSet("rbacctl", flag.ContinueOnError)
	globalFlags(fs, &globals{})
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprintf(w, "\nRun 'rbacctl COMMAND --help' for a command's flags. Flags come before arguments.\n%s\n", exitCodesHelp)
}

// run executes one rbacctl invocation and returns its exit code. env
// reads the environment (os.Getenv).
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) int {
	var g globals
	fs := flag.NewFlagSet("rbacctl", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	globalFlags(fs, &g)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			mainUsage(stdout)
			return exitOK
		}
		fmt.Fprintf(stderr, "rbacctl: %v\n\n", err)
		mainUsage(stderr)
		return exitUsage
	}
	rest := fs.Args()
	if len(rest) == 0 {
		mainUsage(stderr)
		return exitUsage
	}
	if rest[0] == "help" {
		mainUsage(stdout)
		return exitOK
	}
	cmd, rest := find(rest)
	if cmd == nil && isGroup(rest[0]) && (len(rest) == 1 || rest[1] == "-h" || rest[1] == "-help" || rest[1] == "--help") {
		fmt.Fprintf(stdout, "Usage: rbacctl %s SUBCOMMAND; subcommands:\n", rest[0])
		for _, c := range commands() {
			if strings.HasPrefix(c.name, rest[0]+" ") && !c.hidden {
				fmt.Fprintf(stdout, "  %-24s %s\n", c.name, c.summary)
			}
		}
		if len(rest) == 1 {
			return exitUsage
		}
		return exitOK
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "rbacctl: unknown command %q\n\n", strings.Join(args[len(args)-len(rest):], " "))
		mainUsage(stderr)
		return exitUsage
	}
	cfs := flag.NewFlagSet("rbacctl "+cmd.name, flag.ContinueOnError)
	cfs.SetOutput(io.Discard)
	before := g // defining the flags again resets g to the defaults
	globalFlags(cfs, &g)
	if cmd.flags != nil {
		cmd.flags(cfs)
	}
	// Globals given before the command are defaults for the command's.
	_ = cfs.Set("db", before.db)
	_ = cfs.Set("login", before.login)
	_ = cfs.Set("password-stdin", strconv.FormatBool(before.passwordStdin))
	_ = cfs.Set("json", strconv.FormatBool(before.json))
	_ = cfs.Set("reason", before.reason)
	usage := func(w io.Writer) {
		fmt.Fprintf(w, "Usage: rbacctl %s [flags] %s\n\n%s.\n\nFlags:\n", cmd.name, cmd.args, upperFirst(cmd.summary))
		cfs.SetOutput(w)
		cfs.PrintDefaults()
		cfs.SetOutput(io.Discard)
		fmt.Fprintf(w, "\n%s\n", exitCodesHelp)
	}
	if err := cfs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return exitOK
		}
		fmt.Fprintf(stderr, "rbacctl %s: %v\n\n", cmd.name, err)
		usage(stderr)
		return exitUsage
	}
	ctx := context.Background()
	if g.reason != "" {
		ctx = rbac.WithReason(ctx, g.reason)
	}
	c := &cli{ctx: ctx, in: stdin, out: stdout, errOut: stderr, env: env, g: g, values: map[string]any{}}
	cfs.VisitAll(func(f *flag.Flag) { c.values[f.Name] = f.Value.(flag.Getter).Get() })
	err := c.exec(cmd, cfs.Args())
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errDenied):
		return exitDenied
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "rbacctl %s: %v\n\n", cmd.name, err)
		usage(stderr)
		return exitUsage
	case errors.Is(err, rbac.ErrInvalid):
		fmt.Fprintf(stderr, "rbacctl %s: %v\n", cmd.name, err)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "rbacctl %s: %v\n", cmd.name, err)
		return exitError
	}
}

// find matches the longest command name at the start of args.
func find(args []string) (*command, []string) {
	var best *command
	n := 0
	for _, c := range commands() {
		words := strings.Fields(c.name)
		if len(words) <= len(args) && slices.Equal(words, args[:len(words)]) && len(words) > n {
			best, n = c, len(words)
		}
	}
	return best, args[n:]
}

// isGroup reports whether word starts multi-word commands ("staff").
func isGroup(word string) bool {
	for _, c := range commands() {
		if strings.HasPrefix(c.name, word+" ") {
			return true
		}
	}
	return false
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// exec opens what the command needs and runs it.
func (c *cli) exec(cmd *command, args []string) error {
	if cmd.standalone {
		return cmd.run(c, args)
	}
	if c.g.db == "" {
		c.g.db = c.env(envDB)
	}
	st, err := store.Open(c.ctx, c.g.db)
	if err != nil {
		return err
	}
	defer st.Close()
	c.st = st
	if !cmd.noService {
		svc, err := rbac.New(c.ctx, st, rbac.Options{Accounts: c.accountOptions()})
		if err != nil {
			if strings.Contains(err.Error(), "not migrated") {
				return fmt.Errorf("%w\n(a new database? run 'rbacctl bootstrap' first)", err)
			}
			return err
		}
		defer svc.Close()
		c.svc = svc
		if err := c.signIn(); err != nil {
			return err
		}
	}
	return cmd.run(c, args)
}

func (c *cli) str(name string) string    { return c.values[name].(string) }
func (c *cli) list(name string) []string { return c.values[name].(multi) }
func (c *cli) boolean(name string) bool  { return c.values[name].(bool) }
func (c *cli) printf(f string, a ...any) { fmt.Fprintf(c.out, f, a...) }
func (*cli) nargs(args []string, n int) error {
	if len(args) != n {
		return usagef("want %d argument(s), got %d", n, len(args))
	}
	return nil
}

// staff resolves a login.
func (c *cli) staff(login string) (rbac.Staff, error) {
	st, err := c.st.StaffByLogin(c.ctx, strings.ToLower(login))
	if err != nil {
		return rbac.Staff{}, fmt.Errorf("staff %q: %w", login, err)
	}
	return c.svc.StaffMember(c.ctx, st.ID)
}

// actor is the signed-in operator, the actor of every change.
func (c *cli) actor() (rbac.StaffID, error) { return c.me.ID, nil }

// permissions parses function:action arguments and checks them against
// the catalog.
func (c *cli) permissions(args []string) ([]rbac.Permission, error) {
	var out []rbac.Permission
	for _, a := range args {
		p, err := rbac.ParsePermission(a)
		if err != nil {
			return nil, err
		}
		if !c.svc.Catalog().Has(p) {
			return nil, usagef("unknown permission %s (see 'rbacctl matrix --format csv' for the catalog)", p)
		}
		out = append(out, p)
	}
	return out, nil
}

// department resolves a department by ID or name (any language, case
// insensitive).
func (c *cli) department(s string) (rbac.Department, error) {
	ds, err := c.svc.Departments(c.ctx)
	if err != nil {
		return rbac.Department{}, err
	}
	for _, d := range ds {
		if d.ID.String() == s {
			return d, nil
		}
		for _, name := range d.Name {
			if strings.EqualFold(name, s) {
				return d, nil
			}
		}
	}
	return rbac.Department{}, fmt.Errorf("department %q: %w", s, rbac.ErrNotFound)
}
