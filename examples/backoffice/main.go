// Command backoffice is a small billing back office built on billingrbac:
// net/http with chi, server-side sessions, sign-in by password or through
// an SSO proxy, routes guarded by permissions with the identity in the
// handler, its own clients and invoices tables in the library's database,
// the library's admin screens, and a change subscription that ends the
// sessions of someone just disabled, on any server.
//
//	go run ./examples/backoffice                       # passwords; prints the admin's once
//	go run ./examples/backoffice -sso-header X-Auth-Request-User -admin-subject you@example.com
//
// Then, with passwords:
//
//	curl -c jar -d '{"login":"admin","password":"…"}' 127.0.0.1:8080/signin
//	curl -b jar 127.0.0.1:8080/invoices
//
// With -sso-header the installation is SSO-only (no passwords anywhere):
// put an authenticating proxy such as oauth2-proxy in front, which runs
// the OpenID Connect flow and sets the header to the user's subject; the
// back office trusts that header, so it must be reachable only through
// the proxy. The tests stand in for the proxy with a fake one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	dsn := flag.String("db", "backoffice.db", `database: a SQLite path, ":memory:" or postgres://...`)
	ssoHeader := flag.String("sso-header", "", "SSO-only: the header an authenticating proxy sets to the user's subject")
	adminSubject := flag.String("admin-subject", "", "SSO-only: the subject of the first admin")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, log, *addr, *dsn, *ssoHeader, rbac.ExternalSubject(*adminSubject)); err != nil {
		log.Error("backoffice", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger, addr, dsn, ssoHeader string, adminSubject rbac.ExternalSubject) error {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	svc, err := rbac.New(ctx, st, rbac.Options{Logger: log, Accounts: rbac.AccountOptions{SSOOnly: ssoHeader != ""}})
	if err != nil {
		return err
	}
	defer svc.Close()
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{AdminSubject: adminSubject})
	if err != nil {
		return err
	}
	if boot.AdminPassword != "" {
		fmt.Fprintf(os.Stderr, "first start: admin's password is %s (shown once)\n", boot.AdminPassword)
	}
	app, err := New(ctx, st, svc, Config{SSOHeader: ssoHeader, Logger: log})
	if err != nil {
		return err
	}
	defer app.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	log.Info("backoffice listening", "url", "http://"+ln.Addr().String(), "sso_header", ssoHeader)
	srv := &http.Server{Handler: app.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
