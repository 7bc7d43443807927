// Package store keeps the shop's inventory in a SQL database.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	_ "example.com/shop/store/fakedb" // registers the "fakedb" driver
)

// Item is one line of inventory.
type Item struct {
	ID   string
	Name string
	Qty  int
}

// ErrNotFound is returned when an item does not exist.
var ErrNotFound = errors.New("store: item not found")

// ErrInsufficient is returned by Transfer when the source item does not
// exist or holds less than the quantity to move.
var ErrInsufficient = errors.New("store: insufficient quantity")

const (
	selectItem  = "SELECT id, name, qty FROM items WHERE id = ?"
	selectItems = "SELECT id, name, qty FROM items ORDER BY id"
	putItem     = "REPLACE INTO items (id, name, qty) VALUES (?, ?, ?)"
	debitItem   = "UPDATE items SET qty = qty - ? WHERE id = ? AND qty >= ?"
	creditItem  = "UPDATE items SET qty = qty + ? WHERE id = ?"
)

// Store is the inventory database. It is safe for concurrent use.
type Store struct {
	db *sql.DB
}

// Open opens the inventory database named by dsn and checks that it can
// be reached. See package fakedb for the form of dsn.
func Open(dsn string) (*Store, error) {
	db, err := sql.Open("fakedb", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open: %w", err)
	}
	return &Store{db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error {
	return s.db.Close()
}

// Ping checks that the database can still be reached.
func (s *Store) Ping() error {
	return s.db.PingContext(context.Background())
}

// Get returns the item with the given id, or ErrNotFound.
func (s *Store) Get(id string) (*Item, error) {
	var it Item
	err := s.db.QueryRow(selectItem, id).Scan(&it.ID, &it.Name, &it.Qty)
	if err == sql.ErrNoRows {
		return nil, fmt.Errorf("store: get %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get %q: %w", id, err)
	}
	return &it, nil
}

// Put creates the item, or replaces it if one with the same ID exists.
func (s *Store) Put(it *Item) error {
	if _, err := s.db.Exec(putItem, it.ID, it.Name, it.Qty); err != nil {
		return fmt.Errorf("store: put %q: %w", it.ID, err)
	}
	return nil
}

// PutMany puts each of items, as Put does, with one prepared statement.
// It stops at the first error; the items before it stay written.
func (s *Store) PutMany(items []Item) error {
	stmt, err := s.db.Prepare(putItem)
	if err != nil {
		return fmt.Errorf("store: put many: %w", err)
	}
	defer stmt.Close()
	for _, it := range items {
		if _, err := stmt.Exec(it.ID, it.Name, it.Qty); err != nil {
			return fmt.Errorf("store: put many: %q: %w", it.ID, err)
		}
	}
	return nil
}

// List returns every item, ordered by ID.
func (s *Store) List() ([]Item, error) {
	rows, err := s.db.Query(selectItems)
	if err != nil {
		return nil, fmt.Errorf("store: list: %w", err)
	}
	defer rows.Close()
	var items []Item
	for rows.Next() {
		var it Item
		if err := rows.Scan(&it.ID, &it.Name, &it.Qty); err != nil {
			return nil, fmt.Errorf("store: list: %w", err)
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list: %w", err)
	}
	return items, nil
}

// Transfer moves n units from the item from to the item to, atomically.
// It returns ErrInsufficient if from holds fewer than n units and
// ErrNotFound if to does not exist; in both cases nothing changes.
func (s *Store) Transfer(from, to string, n int) error {
	if n <= 0 {
		return fmt.Errorf("store: transfer of %d units: quantity must be positive", n)
	}
	tx, err := s.db.Begin()
	if err != nil {
		return fmt.Errorf("store: transfer: %w", err)
	}
	res, err := tx.Exec(debitItem, n, from, n)
	if err != nil {
		tx.Rollback()
		return fmt.Errorf("store: transfer from %q: %w", from, err)
	}
	if k, _ := res.RowsAffected(); k != 1 {
		tx.Rollback()
		return fmt.Errorf("store: transfer from %q: %w", from, ErrInsufficient)
	}
	res, err = tx.Exec(creditItem, n, to)
	if err != nil {
		tx.Rollback()
		return fmt.Errorf("store: transfer to %q: %w", to, err)
	}
	if k, _ := res.RowsAffected(); k != 1 {
		tx.Rollback()
		return fmt.Errorf("store: transfer to %q: %w", to, ErrNotFound)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: transfer: %w", err)
	}
	return nil
}
