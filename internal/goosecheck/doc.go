// Package goosecheck proves that goose, the standard migration tool, reads
// the library's exported migration files and builds the same schema as the
// library's own runner. It is a module of its own so that goose and the
// database drivers its module lists stay out of the library's module graph
// (an importer of billingrbac never downloads them): run its tests from
// this directory, `go test ./...` (CI does, with -mod=mod, so a dependency
// the library gained since this module's go.mod was last tidied does not
// fail the run; `go mod tidy` here keeps it current).
package goosecheck
