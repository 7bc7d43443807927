package fakedb_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"example.com/shop/store/fakedb"
)

func openDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("fakedb", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestSharedByName(t *testing.T) {
	a := openDB(t, t.Name())
	b := openDB(t, t.Name())
	if _, err := a.Exec(fakedb.ReplaceItem, "x", "X", 1); err != nil {
		t.Fatal(err)
	}
	var qty int
	if err := b.QueryRow(fakedb.SelectItem, "x").Scan(new(string), new(string), &qty); err != nil {
		t.Fatal(err)
	}
	if qty != 1 {
		t.Errorf("qty = %d, want 1", qty)
	}
}

func TestDroppedOnLastClose(t *testing.T) {
	db, err := sql.Open("fakedb", t.Name())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(fakedb.ReplaceItem, "x", "X", 1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = openDB(t, t.Name())
	err = db.QueryRow(fakedb.SelectItem, "x").Scan(new(string), new(string), new(int))
	if err != sql.ErrNoRows {
		t.Errorf("after the last close, the item is still there (err = %v)", err)
	}
}

func TestUnsupportedStatement(t *testing.T) {
	db := openDB(t, t.Name())
	if _, err := db.Exec("DROP TABLE items"); err == nil {
		t.Fatal("DROP TABLE succeeded, want an error")
	}
	if _, err := db.Exec("  REPLACE INTO items\n\t(id, name, qty)  VALUES (?, ?, ?)", "x", "X", 1); err != nil {
		t.Errorf("statement with extra white space: %v", err)
	}
}

func TestRollback(t *testing.T) {
	db := openDB(t, t.Name())
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(fakedb.ReplaceItem, "x", "X", 1); err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow(fakedb.SelectItem, "x").Scan(new(string), new(string), new(int)); err != nil {
		t.Errorf("transaction does not see its own write: %v", err)
	}
	if err := db.QueryRow(fakedb.SelectItem, "x").Scan(new(string), new(string), new(int)); err != sql.ErrNoRows {
		t.Errorf("uncommitted write visible outside the transaction (err = %v)", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(fakedb.SelectItem, "x").Scan(new(string), new(string), new(int)); err != sql.ErrNoRows {
		t.Errorf("rolled back write visible (err = %v)", err)
	}
}

// TestCancel checks that every context-taking operation gives up when its
// context is cancelled, instead of waiting out the delay.
func TestCancel(t *testing.T) {
	db := openDB(t, t.Name())
	if err := db.Ping(); err != nil { // open a connection before slowing down
		t.Fatal(err)
	}
	stmt, err := db.Prepare(fakedb.ReplaceItem)
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	fakedb.SetDelay(t.Name(), 5*time.Second)

	ops := []struct {
		name string
		run  func(context.Context) error
	}{
		{"Ping", db.PingContext},
		{"Begin", func(ctx context.Context) error { _, err := db.BeginTx(ctx, nil); return err }},
		{"Exec", func(ctx context.Context) error {
			_, err := db.ExecContext(ctx, fakedb.ReplaceItem, "x", "X", 1)
			return err
		}},
		{"Query", func(ctx context.Context) error {
			_, err := db.QueryContext(ctx, fakedb.SelectItems)
			return err
		}},
		{"Prepare", func(ctx context.Context) error {
			_, err := db.PrepareContext(ctx, fakedb.SelectItem)
			return err
		}},
		{"StmtExec", func(ctx context.Context) error {
			_, err := stmt.ExecContext(ctx, "x", "X", 1)
			return err
		}},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := op.run(ctx)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error = %v, want context.DeadlineExceeded", err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("took %v after its context ended", d)
			}
		})
	}
}

func TestBadDSN(t *testing.T) {
	for _, dsn := range []string{"", "x?delay=soon", "x?colour=blue", "x?%zz"} {
		if _, err := sql.Open("fakedb", dsn); err == nil {
			t.Errorf("sql.Open(fakedb, %q) succeeded, want an error", dsn)
		}
	}
}

func TestDriverOpen(t *testing.T) {
	c, err := fakedb.Driver{}.Open(t.Name())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}
