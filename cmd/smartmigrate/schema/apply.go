package schema

// Apply is what apply --json prints for a phase it wrote, and apply
// --dry-run --json for the phase it would write: the same document, with
// the journal, verification and commit only when it was written.
type Apply struct {
	Version int `json:"version"`
	// Module is the module path.
	Module string `json:"module"`
	// Strategy is the plan's strategy, or "finalize" for apply --finalize.
	Strategy string `json:"strategy"`
	// DryRun is true for apply --dry-run: nothing was written.
	DryRun bool `json:"dryRun"`
	// Phase is the phase, as the plan has it; for the finalize phase, no
	// units (Shims says what changes).
	Phase Phase `json:"phase"`
	// Left are the IDs of the plan's phases not applied yet, in order,
	// this one first.
	Left []string `json:"left"`
	// SavedPlan is true when the phase comes from .smartmigrate/plan.json.
	SavedPlan bool `json:"savedPlan"`
	// Shims are, for the finalize phase, the shims it changes.
	Shims []Shim `json:"shims"`
	// Rewrite is what the rewrite of the phase did.
	Rewrite Rewrite `json:"rewrite"`
	// Patch is the phase as a unified diff, paths relative to the module
	// root.
	Patch string `json:"patch"`
	// Warnings are what the text output prints as warnings.
	Warnings []string `json:"warnings"`
	// Journal is the phase as journal.json records it; omitted in a dry
	// run.
	Journal *JournalPhase `json:"journal,omitempty"`
	// Verify is what verification checked; omitted in a dry run.
	Verify *Verify `json:"verify,omitempty"`
	// Commit is the hash of the phase's commit (--commit); omitted when
	// none was made.
	Commit string `json:"commit,omitempty"`
	// TookMs is how long the apply took.
	TookMs int64 `json:"tookMs"`
}

// Rewrite is what the rewrite of a phase did.
type Rewrite struct {
	// Units are the IDs of the units it changed.
	Units []string `json:"units"`
	// Items are what it did and could not do, by position (codes under
	// Codes, "rewrite").
	Items []RewriteItem `json:"items"`
	// Created are the declarations it creates or changes.
	Created []Decl `json:"created"`
	// Uses are the qualified names of declarations of earlier phases that
	// its new code relies on.
	Uses []string `json:"uses"`
}

// RewriteItem is an Item of a rewrite, with the function it is about.
type RewriteItem struct {
	// Code is one of the codes under Codes, "rewrite".
	Code string `json:"code"`
	// Message says it in words.
	Message string `json:"message"`
	// Pos is the operation or call site it is about.
	Pos Position `json:"pos"`
	// Func is the ID of the module function it is about (the callee of a
	// moved call, the offloaded function); omitted when there is none.
	Func string `json:"func,omitempty"`
}

// Decl is a declaration a phase creates or changes.
type Decl struct {
	// Kind is "ctx-form" (a FooContext), "shim" (Foo, now calling it),
	// "in-place" (a function given ctx first), "helper" or "import".
	Kind string `json:"kind"`
	// Name is its qualified name; for an import, "file:path".
	Name string `json:"name"`
	// Func is the ID of the unit function it belongs to; omitted when
	// none.
	Func string `json:"func,omitempty"`
}

// Shim is a sync function kept for compatibility, calling its ctx form.
type Shim struct {
	// ID is the shim's qualified name.
	ID string `json:"id"`
	// Form is the name of its ctx form.
	Form string `json:"form"`
	// Pos is the shim's name in its declaration.
	Pos Position `json:"pos"`
	// Exported is true when code outside its package can call it.
	Exported bool `json:"exported"`
	// Removed is true when the finalize phase deletes it (unexported, no
	// callers left).
	Removed bool `json:"removed"`
}

// Verify is what verification checked before a phase was written.
type Verify struct {
	// Steps are the checks, in the order they ended.
	Steps []Step `json:"steps"`
	// Compatible are the compatible API changes (additions) apidiff
	// reports, by package, sorted by package.
	Compatible []APIChanges `json:"compatible"`
}

// Step is one check of verification.
type Step struct {
	// Name is "gofmt", "type-check", "go vet", "API compatibility" or
	// "--verify".
	Name string `json:"name"`
	// TookMs is how long the check took.
	TookMs int64 `json:"tookMs"`
	// Note says more ("3 compatible API changes"); omitted when nothing.
	Note string `json:"note,omitempty"`
	// Preexisting is what failed the same way before the phase and so is
	// not blamed on it; omitted when nothing did.
	Preexisting string `json:"preexisting,omitempty"`
}

// APIChanges are a package's compatible API changes.
type APIChanges struct {
	// Package is the import path.
	Package string `json:"package"`
	// Changes are apidiff's messages ("FetchContext: added").
	Changes []string `json:"changes"`
}

// Revert is what revert --json prints, and revert --dry-run --json for
// the revert it would make.
type Revert struct {
	Version int `json:"version"`
	// DryRun is true for revert --dry-run: nothing was written.
	DryRun bool `json:"dryRun"`
	// Patch is, in a dry run, the revert as a unified diff, paths relative
	// to the module root; omitted otherwise.
	Patch string `json:"patch,omitempty"`
	// Reverted are the phases it undid, newest first.
	Reverted []Reverted `json:"reverted"`
	// Commit is the hash of the revert's commit (--commit); omitted when
	// none was made.
	Commit string `json:"commit,omitempty"`
}

// Reverted is a phase a revert undid.
type Reverted struct {
	// Phase is the phase as the journal now records it.
	Phase JournalPhase `json:"phase"`
	// Exact is true when every file was as the phase left it, so the exact
	// bytes from before it are back; false when its reverse patch was
	// applied over later changes.
	Exact bool `json:"exact"`
	// ByHand is true when the phase was only marked reverted (--forget).
	ByHand bool `json:"byHand"`
}

// Status is what status --json prints.
type Status struct {
	Version int `json:"version"`
	// Module is the module path.
	Module string `json:"module"`
	// Phases are the journal's phases, in the order they were applied,
	// reverted ones included.
	Phases []JournalPhase `json:"phases"`
	// Packages are the module's packages, sorted by import path; Total
	// sums them.
	Packages []PackageStatus `json:"packages"`
	// Total sums Packages.
	Total PackageStatus `json:"total"`
	// Uncommitted are the IDs of the phases applied with --commit that git
	// has no commit of.
	Uncommitted []string `json:"uncommitted"`
}

// PackageStatus counts a package's functions, outside test files.
type PackageStatus struct {
	// Package is the import path, or "total".
	Package string `json:"package"`
	// ContextAware counts the functions that take a context or have a ctx
	// form, as in Summary.
	ContextAware int `json:"contextAware"`
	// Blocking counts the blocking functions without a context.
	Blocking int `json:"blocking"`
	// ToMigrate counts those of Blocking that are in units to migrate.
	ToMigrate int `json:"toMigrate"`
	// LeftOut counts those of Blocking that are left out.
	LeftOut int `json:"leftOut"`
	// Cancellable counts the functions that take a context by how far it
	// reaches.
	Cancellable Cancellable `json:"cancellable"`
	// TODO counts the call sites that pass context.TODO().
	TODO int `json:"todo"`
}

// Check is what check --format=json prints.
type Check struct {
	Version int `json:"version"`
	// Since is the --since ref; omitted when every function was checked.
	Since string `json:"since,omitempty"`
	// Count is len(Findings).
	Count int `json:"count"`
	// Findings are sorted by file and position.
	Findings []Finding `json:"findings"`
}

// Finding is a function check says should take a context.
type Finding struct {
	// Pos is the function name's; its file is relative to the folder check
	// ran in.
	Pos Position `json:"pos"`
	// Func is the function's name ("Fetch").
	Func string `json:"func"`
	// Code is "sibling" (add FooContext, keep Foo as its shim) or
	// "in-place" (take ctx as the first parameter); Message says it.
	Code string `json:"code"`
	// Message is the whole finding, as the text output prints it.
	Message string `json:"message"`
	// New is true when the whole function was added since the --since ref:
	// it has no callers to keep, so the advice is in place.
	New bool `json:"new"`
	// StartLine is the line of the declaration's func keyword: with
	// EndLine, what --since compares with the diff.
	StartLine int `json:"startLine"`
	// EndLine is the line of the declaration's closing brace.
	EndLine int `json:"endLine"`
}
