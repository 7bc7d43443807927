package a

import "testing"

func TestFetch(t *testing.T) { _, _ = Fetch("http://localhost:1") }

func helper() error { return Load("x") } // test files are never reported

type slowClock struct{}

func (slowClock) Now() int { _, _ = Fetch("http://localhost:1"); return 0 }
