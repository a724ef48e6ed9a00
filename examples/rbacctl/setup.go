package main

import (
	"flag"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
)

func setupCommands() []*command {
	return []*command{
		{name: "migrate", summary: "create or upgrade the database schema", noService: true, run: (*cli).migrate},
		{name: "bootstrap", summary: "migrate, then create the default departments and the full-access admin (prints its generated password once)",
			noService: true, flags: func(fs *flag.FlagSet) { fs.String("admin-login", "admin", "login of the full-access account") },
			run: (*cli).bootstrap},
	}
}

func (c *cli) migrate(args []string) error {
	if err := c.nargs(args, 0); err != nil {
		return err
	}
	if err := c.st.Migrate(c.ctx); err != nil {
		return err
	}
	return c.done(map[string]bool{"migrated": true}, "schema is up to date")
}

func (c *cli) bootstrap(args []string) error {
	if err := c.nargs(args, 0); err != nil {
		return err
	}
	if err := c.st.Migrate(c.ctx); err != nil {
		return err
	}
	svc, err := rbac.New(c.ctx, c.st, rbac.Options{})
	if err != nil {
		return err
	}
	defer svc.Close()
	res, err := svc.Bootstrap(c.ctx, rbac.BootstrapOptions{AdminLogin: c.str("admin-login")})
	if err != nil {
		return err
	}
	if !res.Created {
		return c.done(map[string]bool{"created": false}, "already bootstrapped; nothing changed")
	}
	if c.g.json {
		return c.done(map[string]any{"created": true, "admin": res.Admin.Login, "password": res.AdminPassword}, "")
	}
	c.printf("created departments %q and %q\n", res.Sales.Name.In(language.English), res.Support.Name.In(language.English))
	c.printf("created full-access account %q with password: %s\n", res.Admin.Login, res.AdminPassword)
	c.printf("the password is shown only this once\n")
	return nil
}
