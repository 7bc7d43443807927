// Package fakedb is an in-memory database/sql driver for tests of package
// store. Importing it registers the driver as "fakedb".
//
// # Data source names
//
// A DSN is a database name optionally followed by options in URL query
// form:
//
//	shop
//	shop?delay=5s
//
// Every sql.DB opened on the same name shares one database, which lives
// while at least one of them is open; closing the last one drops it, so a
// test that opens its own name and closes it is isolated from the rest.
//
// The only option is delay: every driver operation that takes a context
// (Ping, BeginTx, PrepareContext, ExecContext, QueryContext, on
// connections and statements) first waits that long, or until its context
// is done, in which case it fails with the context's error. database/sql
// always calls these forms; its legacy methods (DB.Query, DB.Begin, ...)
// pass context.Background, so with them the wait always runs to the end.
// SetDelay changes the delay of an open database. Commit and Rollback take
// no context and never wait.
//
// # Schema and statements
//
// The database holds one table, items(id TEXT PRIMARY KEY, name TEXT,
// qty INT). fakedb is not a SQL engine: it understands exactly the
// statements listed in [Statements] (compared after collapsing runs of
// white space) and rejects every other one.
//
// # Transactions
//
// A transaction reads and writes a private copy of the table taken when it
// begins; Commit replays its writes, in order, on the shared table. There is
// no conflict detection.
package fakedb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

func init() {
	sql.Register("fakedb", Driver{})
}

// Statements are the SQL statements fakedb understands.
var Statements = []string{
	SelectItem,
	SelectItems,
	ReplaceItem,
	DebitItem,
	CreditItem,
}

// The statements fakedb understands. Arguments are bound in the order of
// the placeholders.
const (
	SelectItem  = "SELECT id, name, qty FROM items WHERE id = ?"
	SelectItems = "SELECT id, name, qty FROM items ORDER BY id"
	ReplaceItem = "REPLACE INTO items (id, name, qty) VALUES (?, ?, ?)"
	DebitItem   = "UPDATE items SET qty = qty - ? WHERE id = ? AND qty >= ?"
	CreditItem  = "UPDATE items SET qty = qty + ? WHERE id = ?"
)

// record is one row of the items table, without its key.
type record struct {
	name string
	qty  int64
}

// table is the items table, keyed by id.
type table map[string]record

func (t table) clone() table {
	c := make(table, len(t))
	for k, v := range t {
		c[k] = v
	}
	return c
}

// database is the state shared by every sql.DB opened on one name.
type database struct {
	mu    sync.Mutex
	delay time.Duration
	items table
	refs  int // open connectors
}

var registry = struct {
	sync.Mutex
	dbs map[string]*database
}{dbs: make(map[string]*database)}

// SetDelay sets how long every operation on the open database called name
// waits before it runs. It has no effect if no database by that name is
// open.
func SetDelay(name string, d time.Duration) {
	registry.Lock()
	db := registry.dbs[name]
	registry.Unlock()
	if db == nil {
		return
	}
	db.mu.Lock()
	db.delay = d
	db.mu.Unlock()
}

// wait blocks for the database's delay or until ctx is done.
func (db *database) wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	db.mu.Lock()
	d := db.delay
	db.mu.Unlock()
	if d <= 0 {
		return nil
	}
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Driver is the fakedb driver. Its zero value is ready to use.
type Driver struct{}

// Open implements driver.Driver. database/sql calls OpenConnector
// instead; a connection from Open keeps its database alive until it is
// closed.
func (d Driver) Open(dsn string) (driver.Conn, error) {
	c, err := d.OpenConnector(dsn)
	if err != nil {
		return nil, err
	}
	cn := c.(*connector)
	return &conn{db: cn.db, owner: cn}, nil
}

// OpenConnector implements driver.DriverContext. It parses dsn and
// opens, or creates, the named database.
func (Driver) OpenConnector(dsn string) (driver.Connector, error) {
	name, opts, _ := strings.Cut(dsn, "?")
	if name == "" {
		return nil, errors.New("fakedb: empty database name")
	}
	q, err := url.ParseQuery(opts)
	if err != nil {
		return nil, fmt.Errorf("fakedb: bad options in %q: %w", dsn, err)
	}
	var delay time.Duration
	for k, v := range q {
		switch k {
		case "delay":
			if delay, err = time.ParseDuration(v[len(v)-1]); err != nil {
				return nil, fmt.Errorf("fakedb: bad delay in %q: %w", dsn, err)
			}
		default:
			return nil, fmt.Errorf("fakedb: unknown option %q in %q", k, dsn)
		}
	}

	registry.Lock()
	defer registry.Unlock()
	db := registry.dbs[name]
	if db == nil {
		db = &database{items: make(table)}
		registry.dbs[name] = db
	}
	db.mu.Lock()
	db.refs++
	if q.Has("delay") {
		db.delay = delay
	}
	db.mu.Unlock()
	return &connector{name: name, db: db}, nil
}

// connector opens connections to one database. database/sql closes it
// when the sql.DB is closed.
type connector struct {
	name string
	db   *database
	once sync.Once
}

func (c *connector) Connect(context.Context) (driver.Conn, error) {
	return &conn{db: c.db}, nil
}

func (c *connector) Driver() driver.Driver { return Driver{} }

// Close implements io.Closer: it drops the database when the last
// connector on it is closed.
func (c *connector) Close() error {
	c.once.Do(func() {
		registry.Lock()
		defer registry.Unlock()
		c.db.mu.Lock()
		c.db.refs--
		last := c.db.refs == 0
		c.db.mu.Unlock()
		if last && registry.dbs[c.name] == c.db {
			delete(registry.dbs, c.name)
		}
	})
	return nil
}

// conn is one connection. database/sql never uses a connection from two
// goroutines at once, so it needs no lock of its own.
type conn struct {
	db    *database
	tx    *tx        // the open transaction, if any
	owner *connector // set on connections made by Driver.Open
}

var (
	_ driver.Conn               = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
	_ driver.StmtExecContext    = (*stmt)(nil)
	_ driver.StmtQueryContext   = (*stmt)(nil)
	_ io.Closer                 = (*connector)(nil)
)

// parse returns the canonical form of query, or an error if fakedb does
// not understand it.
func parse(query string) (string, error) {
	q := strings.Join(strings.Fields(query), " ")
	for _, s := range Statements {
		if q == s {
			return s, nil
		}
	}
	return "", fmt.Errorf("fakedb: unsupported statement %q", query)
}

func (c *conn) Ping(ctx context.Context) error {
	return c.db.wait(ctx)
}

// Prepare implements driver.Conn. database/sql calls PrepareContext
// instead; Prepare does not wait.
func (c *conn) Prepare(query string) (driver.Stmt, error) {
	q, err := parse(query)
	if err != nil {
		return nil, err
	}
	return &stmt{c: c, query: q}, nil
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.db.wait(ctx); err != nil {
		return nil, err
	}
	q, err := parse(query)
	if err != nil {
		return nil, err
	}
	return &stmt{c: c, query: q}, nil
}

func (c *conn) Close() error {
	c.tx = nil
	if c.owner != nil {
		return c.owner.Close()
	}
	return nil
}

// Begin implements driver.Conn. database/sql calls BeginTx instead;
// Begin does not wait.
func (c *conn) Begin() (driver.Tx, error) {
	return c.begin()
}

// BeginTx implements driver.ConnBeginTx. Isolation levels and read-only
// transactions are accepted and ignored.
func (c *conn) BeginTx(ctx context.Context, _ driver.TxOptions) (driver.Tx, error) {
	if err := c.db.wait(ctx); err != nil {
		return nil, err
	}
	return c.begin()
}

func (c *conn) begin() (driver.Tx, error) {
	if c.tx != nil {
		return nil, errors.New("fakedb: transaction already open on this connection")
	}
	c.db.mu.Lock()
	c.tx = &tx{c: c, items: c.db.items.clone()}
	c.db.mu.Unlock()
	return c.tx, nil
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.db.wait(ctx); err != nil {
		return nil, err
	}
	q, err := parse(query)
	if err != nil {
		return nil, err
	}
	return c.exec(q, values(args))
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.db.wait(ctx); err != nil {
		return nil, err
	}
	q, err := parse(query)
	if err != nil {
		return nil, err
	}
	return c.query(q, values(args))
}

// exec runs a write statement in the open transaction, or on the shared
// table when there is none.
func (c *conn) exec(q string, args []driver.Value) (driver.Result, error) {
	if c.tx != nil {
		n, err := apply(c.tx.items, q, args)
		if err != nil {
			return nil, err
		}
		c.tx.writes = append(c.tx.writes, write{q, args})
		return driver.RowsAffected(n), nil
	}
	c.db.mu.Lock()
	defer c.db.mu.Unlock()
	n, err := apply(c.db.items, q, args)
	if err != nil {
		return nil, err
	}
	return driver.RowsAffected(n), nil
}

// query runs a read statement in the open transaction, or on the shared
// table when there is none.
func (c *conn) query(q string, args []driver.Value) (driver.Rows, error) {
	if c.tx != nil {
		return selectRows(c.tx.items, q, args)
	}
	c.db.mu.Lock()
	defer c.db.mu.Unlock()
	return selectRows(c.db.items, q, args)
}

// values drops the names of args; fakedb binds by position.
func values(args []driver.NamedValue) []driver.Value {
	v := make([]driver.Value, len(args))
	for i, a := range args {
		v[i] = a.Value
	}
	return v
}

// apply runs the write statement q on t and returns the number of rows
// it affected.
func apply(t table, q string, args []driver.Value) (int64, error) {
	if err := checkArgs(q, args); err != nil {
		return 0, err
	}
	switch q {
	case ReplaceItem:
		id := argString(args[0])
		if id == "" {
			return 0, errors.New("fakedb: items.id must not be empty")
		}
		t[id] = record{name: argString(args[1]), qty: argInt(args[2])}
		return 1, nil
	case DebitItem:
		n, id := argInt(args[0]), argString(args[1])
		r, ok := t[id]
		if !ok || r.qty < argInt(args[2]) {
			return 0, nil
		}
		r.qty -= n
		t[id] = r
		return 1, nil
	case CreditItem:
		n, id := argInt(args[0]), argString(args[1])
		r, ok := t[id]
		if !ok {
			return 0, nil
		}
		r.qty += n
		t[id] = r
		return 1, nil
	}
	return 0, fmt.Errorf("fakedb: %q is a query, not a write", q)
}

// selectRows runs the read statement q on t.
func selectRows(t table, q string, args []driver.Value) (driver.Rows, error) {
	if err := checkArgs(q, args); err != nil {
		return nil, err
	}
	rs := &rows{}
	switch q {
	case SelectItem:
		id := argString(args[0])
		if r, ok := t[id]; ok {
			rs.data = append(rs.data, []driver.Value{id, r.name, r.qty})
		}
	case SelectItems:
		ids := make([]string, 0, len(t))
		for id := range t {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			rs.data = append(rs.data, []driver.Value{id, t[id].name, t[id].qty})
		}
	default:
		return nil, fmt.Errorf("fakedb: %q is a write, not a query", q)
	}
	return rs, nil
}

func checkArgs(q string, args []driver.Value) error {
	if want := strings.Count(q, "?"); len(args) != want {
		return fmt.Errorf("fakedb: %q takes %d arguments, got %d", q, want, len(args))
	}
	return nil
}

// argString and argInt convert bound arguments. database/sql has already
// converted them to one of the driver.Value types.
func argString(v driver.Value) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return fmt.Sprint(v)
}

func argInt(v driver.Value) int64 {
	switch v := v.(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	}
	return 0
}

// write is one write statement run in a transaction, replayed on commit.
type write struct {
	query string
	args  []driver.Value
}

// tx is an open transaction: a private copy of the table and the writes
// made to it.
type tx struct {
	c      *conn
	items  table
	writes []write
}

func (t *tx) Commit() error {
	if t.c.tx != t {
		return errors.New("fakedb: commit of a finished transaction")
	}
	t.c.tx = nil
	db := t.c.db
	db.mu.Lock()
	defer db.mu.Unlock()
	for _, w := range t.writes {
		if _, err := apply(db.items, w.query, w.args); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) Rollback() error {
	if t.c.tx != t {
		return errors.New("fakedb: rollback of a finished transaction")
	}
	t.c.tx = nil
	return nil
}

// stmt is a prepared statement.
type stmt struct {
	c     *conn
	query string
}

func (s *stmt) Close() error  { return nil }
func (s *stmt) NumInput() int { return strings.Count(s.query, "?") }

// Exec and Query implement driver.Stmt. database/sql calls ExecContext
// and QueryContext instead; Exec and Query do not wait.
func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.c.exec(s.query, args)
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.c.query(s.query, args)
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if err := s.c.db.wait(ctx); err != nil {
		return nil, err
	}
	return s.c.exec(s.query, values(args))
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if err := s.c.db.wait(ctx); err != nil {
		return nil, err
	}
	return s.c.query(s.query, values(args))
}

// rows is the result of a query, held in memory.
type rows struct {
	data [][]driver.Value
	next int
}

func (r *rows) Columns() []string { return []string{"id", "name", "qty"} }
func (r *rows) Close() error      { return nil }

func (r *rows) Next(dest []driver.Value) error {
	if r.next >= len(r.data) {
		return io.EOF
	}
	copy(dest, r.data[r.next])
	r.next++
	return nil
}
