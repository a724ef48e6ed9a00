package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// withPgx runs fn on the pgx connection beneath one of the pool's
// database/sql connections (in the pool's schema and settings), for the
// statements whose cost is database/sql's and GORM's own: reading the
// policy as raw bytes, sending a write as one statement.
func (s *Store) withPgx(ctx context.Context, fn func(*pgx.Conn) error) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: %T is not a pgx connection", dc)
		}
		return fn(sc.Conn())
	})
}

// dollarParams numbers the ? placeholders of query as PostgreSQL's $1,
// $2, ... (the library's statements have no ? in their literals).
func dollarParams(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 64)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] != '?' {
			b.WriteByte(query[i])
			continue
		}
		n++
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}
