package store

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

// open opens a fresh database named after the test, holding two items.
func open(t *testing.T, opts string) *Store {
	t.Helper()
	s, err := Open(t.Name() + opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, it := range []Item{{"apple", "Apple", 10}, {"pear", "Pear", 3}} {
		if err := s.Put(&it); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestOpenBadDSN(t *testing.T) {
	if _, err := Open("shop?colour=blue"); err == nil {
		t.Fatal("Open with an unknown option succeeded, want an error")
	}
}

func TestPing(t *testing.T) {
	if err := open(t, "").Ping(); err != nil {
		t.Fatal(err)
	}
}

func TestGet(t *testing.T) {
	s := open(t, "")
	it, err := s.Get("pear")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Item{"pear", "Pear", 3}); *it != want {
		t.Errorf("Get(pear) = %+v, want %+v", *it, want)
	}
	if _, err := s.Get("plum"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(plum) error = %v, want ErrNotFound", err)
	}
}

func TestPut(t *testing.T) {
	s := open(t, "")
	if err := s.Put(&Item{"apple", "Green apple", 7}); err != nil {
		t.Fatal(err)
	}
	it, err := s.Get("apple")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Item{"apple", "Green apple", 7}); *it != want {
		t.Errorf("after Put, Get(apple) = %+v, want %+v", *it, want)
	}
	if err := s.Put(&Item{Name: "Nameless"}); err == nil {
		t.Error("Put with an empty ID succeeded, want an error")
	}
}

func TestPutMany(t *testing.T) {
	s := open(t, "")
	err := s.PutMany([]Item{{"fig", "Fig", 1}, {"kiwi", "Kiwi", 2}, {"pear", "Pear", 4}})
	if err != nil {
		t.Fatal(err)
	}
	items, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	want := []Item{{"apple", "Apple", 10}, {"fig", "Fig", 1}, {"kiwi", "Kiwi", 2}, {"pear", "Pear", 4}}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("after PutMany, List = %+v, want %+v", items, want)
	}
}

func TestList(t *testing.T) {
	s := open(t, "")
	items, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	want := []Item{{"apple", "Apple", 10}, {"pear", "Pear", 3}}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("List = %+v, want %+v", items, want)
	}
}

func TestListEmpty(t *testing.T) {
	s, err := Open(t.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	items, err := s.List()
	if err != nil || len(items) != 0 {
		t.Fatalf("List of an empty store = %v, %v; want nothing", items, err)
	}
}

func TestTransfer(t *testing.T) {
	s := open(t, "")
	if err := s.Transfer("apple", "pear", 4); err != nil {
		t.Fatal(err)
	}
	items, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	want := []Item{{"apple", "Apple", 6}, {"pear", "Pear", 7}}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("after Transfer, List = %+v, want %+v", items, want)
	}
}

func TestTransferFails(t *testing.T) {
	s := open(t, "")
	tests := []struct {
		from, to string
		n        int
		want     error
	}{
		{"pear", "apple", 4, ErrInsufficient},
		{"plum", "apple", 1, ErrInsufficient},
		{"apple", "plum", 1, ErrNotFound},
		{"apple", "pear", 0, nil},
	}
	for _, tt := range tests {
		err := s.Transfer(tt.from, tt.to, tt.n)
		if err == nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("Transfer(%q, %q, %d) error = %v, want %v", tt.from, tt.to, tt.n, err, tt.want)
		}
	}
	// Every failed transfer must have been rolled back.
	items, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	want := []Item{{"apple", "Apple", 10}, {"pear", "Pear", 3}}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("after failed transfers, List = %+v, want %+v", items, want)
	}
}

func TestIsolation(t *testing.T) {
	a := open(t, "")
	b, err := Open(t.Name() + "-other")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Get("apple"); !errors.Is(err, ErrNotFound) {
		t.Errorf("another database sees %q's items: Get error = %v", t.Name(), err)
	}
	if _, err := a.Get("apple"); err != nil {
		t.Error(err)
	}
}

func TestSlowDatabase(t *testing.T) {
	s := open(t, "?delay=20ms")
	start := time.Now()
	if _, err := s.Get("apple"); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Errorf("Get on a database with a 20ms delay took %v", d)
	}
}
