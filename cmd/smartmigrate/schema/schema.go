// Package schema is smartmigrate's JSON contract: the documents its
// commands print with --json (check: --format=json) and the two files of
// the .smartmigrate folder that people review, edit and commit,
// plan.json and journal.json. Scripts and CI jobs read these; Go programs
// can decode them with these types.
//
// Every document has a "version" field, Version when smartmigrate wrote
// it. Within a version fields are only added, never removed or given
// another meaning, so a reader should ignore the fields it does not know.
//
// The conventions hold for every document:
//
//   - Keys are camelCase.
//   - Durations are whole milliseconds, in fields ending in "Ms".
//   - A position in the source is a Position, {"file", "line", "col"}:
//     the file relative to the module root, the line and the column
//     (a byte offset in the line, from 1) as the go command prints them.
//   - A list is always an array, [] when empty, never null. A field
//     documented "omitted when ..." is left out then; every other field is
//     always present.
//   - What needs a reason (a function left out, a risk, a sink left, a
//     finding) is an Item, {"code", "message", "pos"}: the code is one of
//     those listed under Codes and does not change between releases; the
//     message is for people and may.
//   - Functions are named by their qualified name, as go/types prints it:
//     "example.com/shop/api.(*Client).Fetch". Phases are named by their ID
//     (see Phase).
//
// Which document each command prints:
//
//	smartmigrate plan --json            Plan
//	smartmigrate apply --dry-run --json Apply, with dryRun true
//	smartmigrate apply --json           Apply
//	smartmigrate apply --all --json     one Apply per phase, one after another
//	smartmigrate revert --json          Revert
//	smartmigrate status --json          Status
//	smartmigrate check --format=json    Check
//	.smartmigrate/plan.json             SavedPlan
//	.smartmigrate/journal.json          Journal
package schema

import (
	"encoding/json"
	"io"
)

// Version is the version of the documents this smartmigrate writes and
// the newest it reads. Version 1 was the journal.json and plan.json of
// releases before this schema; they are still read (see Journal and
// SavedPlan). Command output had no version before 2.
const Version = 2

// Position is a place in the module's source.
type Position struct {
	// File is relative to the module root, with forward slashes.
	File string `json:"file"`
	// Line is the line, from 1.
	Line int `json:"line"`
	// Col is the column, in bytes, from 1.
	Col int `json:"col"`
}

// Item is something said with a reason: why a function is left out, a
// risk of migrating a unit, what a rewrite did or could not do.
type Item struct {
	// Code is what kind of item it is: one of the codes listed for the
	// field that holds the item (see Codes).
	Code string `json:"code"`
	// Message says it in words, the way the text output does.
	Message string `json:"message"`
	// Pos is where it is; omitted when it is about no one place.
	Pos *Position `json:"pos,omitempty"`
}

// Sink is the first blocking operation a function reaches, the reason it
// needs a context.
type Sink struct {
	// Call is the operation: a qualified call ("net/http.Get"), or what
	// the wait is ("channel receive").
	Call string `json:"call"`
	// Pos is where the function reaches it (the call, or the call that
	// leads to it).
	Pos Position `json:"pos"`
	// Why says how the function reaches it when that is not the call
	// itself; omitted when it is.
	Why string `json:"why,omitempty"`
}

// Write writes doc as smartmigrate writes every document: indented by two
// spaces, with <, > and & as they are (not escaped for HTML), and a final
// newline.
func Write(w io.Writer, doc any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
