package retry

import (
	"errors"
	"testing"
)

func TestDo(t *testing.T) {
	calls := 0
	err := Do(3, func() error {
		calls++
		if calls < 2 {
			return errors.New("flaky")
		}
		return nil
	})
	if err != nil || calls != 2 {
		t.Errorf("Do = %v after %d calls, want success after 2", err, calls)
	}
}

func TestDoGivesUp(t *testing.T) {
	errDown := errors.New("down")
	calls := 0
	err := Do(0, func() error { calls++; return errDown })
	if !errors.Is(err, errDown) || calls != 1 {
		t.Errorf("Do(0) = %v after %d calls, want errDown after 1", err, calls)
	}
}
