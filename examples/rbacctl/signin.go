package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/billingrbac/billingrbac/rbac"
)

// The environment a script sets instead of flags and a prompt.
const (
	envDB       = "BILLINGRBAC_DB"
	envLogin    = "BILLINGRBAC_LOGIN"
	envPassword = "BILLINGRBAC_PASSWORD"
)

// errNoPassword: no password in the environment, none on standard input
// and no terminal to ask on.
var errNoPassword = errors.New("no password: set " + envPassword + ", pass --password-stdin or run on a terminal")

// signIn authenticates the operator: every change is credited to the
// account that proved it holds the password, never to a name typed on
// the command line. A failed sign-in is an error (exit 3) that does not
// say whether the login exists.
func (c *cli) signIn() error {
	login := c.g.login
	if login == "" {
		login = c.env(envLogin)
	}
	if login == "" {
		return usagef("sign in: give --login or set %s", envLogin)
	}
	password, err := c.password(login)
	if err != nil {
		return err
	}
	me, err := c.svc.Authenticate(c.ctx, login, password)
	if err != nil {
		return fmt.Errorf("sign in as %q: %w", login, err)
	}
	c.me = me
	return nil
}

// password reads the operator's password: --password-stdin, then the
// environment, then a prompt without echo on the terminal.
func (c *cli) password(login string) (string, error) {
	if c.g.passwordStdin {
		line, err := bufio.NewReader(c.in).ReadString('\n')
		if err != nil && line == "" {
			return "", fmt.Errorf("sign in: --password-stdin: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	if p := c.env(envPassword); p != "" {
		return p, nil
	}
	f, ok := c.in.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", usageError{errNoPassword.Error()}
	}
	fmt.Fprintf(c.errOut, "password for %s: ", login)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(c.errOut)
	if err != nil {
		return "", fmt.Errorf("sign in: read password: %w", err)
	}
	return string(b), nil
}

// need refuses the command unless the operator holds every permission:
// the reads the library does not authorize itself (listing staff,
// departments, decisions) are authorized here by the library's own check.
func (c *cli) need(perms ...rbac.Permission) error {
	for _, p := range perms {
		if err := c.svc.Check(c.me.ID, p); err != nil {
			return err
		}
	}
	return nil
}
