package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/journal"
	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/internal/patch"
	"github.com/smartmigrate/smartmigrate/internal/verify"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The exit statuses, documented in README.md ("Exit status"): a CI job
// tells findings from breakage by them.
const (
	// exitFindings: check found functions to migrate, or a phase or a
	// revert was refused (verification failed, a stale saved plan, files
	// with uncommitted changes, another writer, dependent phases, nothing
	// to revert, a module that does not type-check, a revert whose hunk
	// does not apply or whose phase patch is missing).
	exitFindings = 1
	// exitUsage: the command line is wrong (a flag, an argument, a
	// command, a folder, pattern or --phase that names nothing).
	exitUsage = 2
	// exitFailure: the tool or its environment failed (I/O, git, the go
	// command).
	exitFailure = 3
)

// usageError is a command line cobra or a command refuses.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// exitCode is the exit status for err (not nil), with the status the
// command set itself (check's findings) first.
func exitCode(err error) int {
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var (
		ue  usageError
		ie  *load.InputError
		oe  *migrate.OptionError
		pe  *journal.PhaseError
		vf  *verify.Failure
		sp  *migrate.StalePlanError
		re  *migrate.RefusedError
		le  *journal.LockedError
		de  *journal.DependentsError
		lde *load.Error
		he  *patch.HunkError
		mp  *journal.MissingPatchError
	)
	switch {
	case errors.As(err, &ue), errors.As(err, &ie), errors.As(err, &oe), errors.As(err, &pe):
		return exitUsage
	case errors.As(err, &vf), errors.As(err, &sp), errors.As(err, &re), errors.As(err, &le),
		errors.As(err, &de), errors.As(err, &lde), errors.Is(err, journal.ErrNothingApplied),
		errors.As(err, &he), errors.As(err, &mp):
		return exitFindings
	}
	return exitFailure
}

// usageHint ends a usage error with where to read more, and says a flag
// value it refuses in the tool's words: "--phase: ...", not pflag's
// "invalid argument".
func usageHint(cmd *cobra.Command, err error) error {
	var iv *pflag.InvalidValueError
	var num *strconv.NumError
	switch {
	case errors.As(err, &iv) && errors.As(err, &num):
		err = fmt.Errorf("--%s: %q is not a number", iv.GetFlag().Name, iv.GetValue())
	case errors.As(err, &iv):
		err = fmt.Errorf("--%s: %w", iv.GetFlag().Name, errors.Unwrap(iv))
	}
	if cmd == nil || strings.Contains(err.Error(), "--help") {
		return usageError{err}
	}
	return usageError{fmt.Errorf("%w\nsee 'smartmigrate %s --help'", err, strings.TrimSpace(strings.TrimPrefix(cmd.CommandPath(), "smartmigrate")))}
}
