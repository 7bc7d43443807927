// Package recall measures how much of the context a library's maintainers
// later added by hand smartmigrate finds on its own (issue 11, item 4).
//
// For each library it takes two public versions, one before and one after
// the maintainers gave the API a context.Context (Libraries). It downloads
// both with the go command (the old one copied into a temporary folder and
// made to build on its own, the new one only read in the module cache),
// loads and analyses the old one as the tool does, migrates it with every
// bottom-up phase, each verified as apply verifies it (type-check, vet,
// apidiff), and compares, by name:
//
//   - the maintainers' set: the exported functions and methods (of any
//     receiver type, outside test files, testdata, vendor, example folders
//     and main packages) that took no context.Context in the old version
//     and have one in the new, in place (the same name takes a ctx) or as
//     a sibling (FooContext, FooWithContext, FooCtx or FooWithCtx takes
//     one and did not exist before); methods of exported interfaces are
//     counted apart, since the tool never changes an exported interface
//     (it gives the implementations ctx forms instead);
//   - the tool's set: the same, between the old version and the old
//     version migrated.
//
// Names match by package folder relative to the module root (so that a
// new major version, whose module path differs, still matches), receiver
// type name without * and type parameters (go-redis's cmdable is a struct
// with pointer methods in v6 and a func type with value methods in v8: the
// same key), and function name. A method the new version no longer
// declares on its old receiver but on a struct type that embedded it
// (go-redis moved baseClient.Do to Client.Do) matches there.
//
// Each miss gets a cause from the tool's model of the old version: not in
// the model, done already, left out though blocking (with the skip
// reason), blocking but not migrated, or not blocking, because it calls
// through a func value, through an interface, blocks only in a goroutine,
// or reaches no wait at all. Each function the tool gave a ctx is checked
// for a wait behind it (it blocks, and its ctx reaches an operation).
//
// Everything but this comment is behind the build tag recall, so that go
// test ./... neither runs nor needs it. Run it with
//
//	go test -tags recall ./internal/recall -run TestRecall -v -timeout 60m
//
// SMARTMIGRATE_RECALL=name,... picks libraries by name (redigo, vault,
// amqp091, go-github, go-redis) and SMARTMIGRATE_RECALL_OUT names a file that gets
// the report too.
package recall
