package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/billingrbac/billingrbac/store"
)

func migrationCommands() []*command {
	return []*command{
		{name: "migrations export", args: "DIR", standalone: true, flags: dialectFlag, run: (*cli).exportMigrations,
			summary: "write the schema migrations as plain SQL files (goose's format) for a DBA or goose; --dialect sqlite|postgres"},
	}
}

func dialectFlag(fs *flag.FlagSet) {
	fs.String("dialect", "", "the database the SQL is written for: sqlite or postgres (required)")
}

// exportMigrations copies store.MigrationsFS to DIR, creating DIR. A file
// already there is left alone when identical and refused otherwise, so an
// export never overwrites a DBA's edit. The dialect flag may also follow
// DIR ("migrations export DIR --dialect postgres").
func (c *cli) exportMigrations(args []string) error {
	if len(args) > 1 {
		fs := flag.NewFlagSet("migrations export", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		dialectFlag(fs)
		if err := fs.Parse(args[1:]); err != nil {
			return usagef("%v", err)
		}
		if d := fs.Lookup("dialect").Value.String(); d != "" {
			c.values["dialect"] = d
		}
		args = append(args[:1], fs.Args()...)
	}
	if err := c.nargs(args, 1); err != nil {
		return err
	}
	if c.str("dialect") == "" {
		return usagef("--dialect is required: sqlite or postgres")
	}
	d, err := store.ParseDialect(c.str("dialect"))
	if err != nil {
		return err
	}
	src, err := store.MigrationsFS(d)
	if err != nil {
		return err
	}
	dir := args[0]
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ents, err := fs.ReadDir(src, ".")
	if err != nil {
		return err
	}
	var written, same []string
	for _, e := range ents {
		b, err := fs.ReadFile(src, e.Name())
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, e.Name())
		old, err := os.ReadFile(dst)
		switch {
		case err == nil && string(old) == string(b):
			same = append(same, e.Name())
			continue
		case err == nil:
			return fmt.Errorf("%s exists and differs from the library's migration: not overwritten", dst)
		case !errors.Is(err, fs.ErrNotExist):
			return err
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return err
		}
		written = append(written, e.Name())
	}
	return c.emit(map[string]any{"dialect": d, "dir": dir, "written": written, "unchanged": same}, func(w io.Writer) error {
		for _, n := range written {
			fmt.Fprintf(w, "wrote %s\n", filepath.Join(dir, n))
		}
		_, err := fmt.Fprintf(w, "%d %s migration(s) in %s (%d new, %d unchanged); apply with: goose -dir %s -table billingrbac_goose %s DSN up\n",
			len(ents), d, dir, len(written), len(same), dir, gooseDriver(d))
		return err
	})
}

// gooseDriver is goose's name for the dialect.
func gooseDriver(d store.Dialect) string {
	if d == store.SQLite {
		return "sqlite3"
	}
	return "postgres"
}
