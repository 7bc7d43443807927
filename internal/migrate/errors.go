package migrate

import "fmt"

// OptionError is an option that is wrong, or that does not go with
// another: the user's command line is at fault (a usage error).
type OptionError struct{ Msg string }

func (e *OptionError) Error() string { return e.Msg }

// optionErrorf makes an *OptionError.
func optionErrorf(format string, args ...any) error {
	return &OptionError{Msg: fmt.Sprintf(format, args...)}
}

// RefusedError is a phase the state of the module refuses (files the
// phase changes have uncommitted changes): the tool works, and says what
// to do first.
type RefusedError struct{ Msg string }

func (e *RefusedError) Error() string { return e.Msg }
