package schema

// Journal is .smartmigrate/journal.json: every phase applied to the
// module, in the order it was applied, reverted ones included. A
// version 1 file (no "version", or 1) is read as it is: its phases get
// the ID of their units.
type Journal struct {
	Version int `json:"version"`
	// Phases are in the order they were applied.
	Phases []JournalPhase `json:"phases"`
}

// JournalPhase is an applied phase.
type JournalPhase struct {
	// ID is the phase's ID (see Phase).
	ID string `json:"id"`
	// Number counts the phases applied to the module, from 1: the
	// journal's order, and the NN of the patch's file name.
	Number int `json:"number"`
	// Strategy is the plan's strategy, or "finalize".
	Strategy string `json:"strategy"`
	// Units are the IDs of the units it migrated.
	Units []string `json:"units"`
	// Time is when it was applied (RFC 3339, UTC).
	Time string `json:"time"`
	// Patch is its unified diff, relative to the .smartmigrate folder:
	// "phases/01-bottom-up.patch".
	Patch string `json:"patch"`
	// Files are the files it changed, with their hashes before and after.
	Files []FileHash `json:"files"`
	// Created are the qualified names of the declarations it created or
	// changed, and of the imports it added ("file:path"); Uses those of
	// earlier phases its new code relies on. A phase whose Uses meet an
	// earlier phase's Created depends on it.
	Created []string `json:"created"`
	// Uses are the qualified names of earlier phases' declarations that
	// its new code relies on.
	Uses []string `json:"uses"`
	// Commit is true when it was applied with --commit (a commit of it is
	// wanted).
	Commit bool `json:"commit"`
	// Reverted is true once it was reverted.
	Reverted bool `json:"reverted"`
	// RevertedTime is when it was reverted (RFC 3339, UTC); omitted until
	// then.
	RevertedTime string `json:"revertedTime,omitempty"`
}

// FileHash is a file a phase touched, with the hex sha256 of its contents
// before and after; "" is a file that does not exist.
type FileHash struct {
	// Path is relative to the module root.
	Path string `json:"path"`
	// Before is the hex sha256 of the file before the phase; "" when it
	// did not exist.
	Before string `json:"before"`
	// After is the hex sha256 of the file after the phase; "" when the
	// phase removed it.
	After string `json:"after"`
}

// SavedPlan is .smartmigrate/plan.json, written by plan --save: a plan to
// review, commit and edit (a unit deleted from it is not migrated). A
// version 1 file is read too: only its phases and their units' IDs, which
// is what apply follows.
type SavedPlan struct {
	Version int `json:"version"`
	// Module is the module path.
	Module string `json:"module"`
	// Strategy is the strategy that made the plan; apply follows it.
	Strategy string `json:"strategy"`
	// Phases are in the order apply takes them.
	Phases []SavedPhase `json:"phases"`
	// Source is the fingerprint of the source the plan was made from:
	// apply refuses to follow the plan once the source changed.
	Source Source `json:"source"`
}

// SavedPhase is a phase of a saved plan.
type SavedPhase struct {
	// ID is the phase's ID when the plan was saved; deleting units from
	// the phase does not change it.
	ID string `json:"id"`
	// Reason says why these units are together and in this place.
	Reason string `json:"reason"`
	// Units are the units to migrate; delete one and apply leaves it
	// alone.
	Units []SavedUnit `json:"units"`
}

// SavedUnit is a unit of a saved plan: apply reads its ID; the rest is
// for the person reviewing the plan.
type SavedUnit struct {
	// ID is the qualified name of the unit's lead function: what apply
	// reads.
	ID string `json:"id"`
	// Funcs are all its functions.
	Funcs []string `json:"funcs"`
	// Kind is "sibling" or "in-place" (see Unit).
	Kind string `json:"kind"`
	// Exported is true when the unit is part of the public API.
	Exported bool `json:"exported"`
	// Sink is the first blocking operation it reaches.
	Sink Sink `json:"sink"`
	// Risks are what a reviewer should know (codes under Codes, "risk").
	Risks []Item `json:"risks"`
}

// Source identifies the source a plan was made from.
type Source struct {
	// Fingerprint is the sha256 of Files.
	Fingerprint string `json:"fingerprint"`
	// Files maps each module-relative .go file, go.mod and go.sum to the
	// hex sha256 of its contents.
	Files map[string]string `json:"files"`
}
