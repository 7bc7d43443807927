package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/doc"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
)

// The JSON schema's page, doc/json.md, is generated from the doc comments
// of package schema (see writeDocs): the package's doc, then each document
// type and the types they hold, each with a table of its fields, then the
// codes.

// schemaDocuments are the types written as whole documents, in the order
// the page takes them; the other types follow in the order they are
// declared.
var schemaDocuments = []string{"Plan", "Apply", "Revert", "Status", "Check", "Journal", "SavedPlan"}

// schemaDoc renders the page from the package in dir.
func schemaDoc(dir string) ([]byte, error) {
	fset := token.NewFileSet()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		files = append(files, f)
	}
	p, err := doc.NewFromFiles(fset, files, "github.com/smartmigrate/smartmigrate/cmd/smartmigrate/schema", doc.PreserveAST)
	if err != nil {
		return nil, fmt.Errorf("doc %s: %w", dir, err)
	}
	var b bytes.Buffer
	b.WriteString("<!-- Generated from the doc comments of package schema by go test ./cmd/smartmigrate -update; do not edit. -->\n\n")
	b.WriteString("# smartmigrate's JSON schema\n\n")
	b.Write(markdown(p, p.Doc))
	b.WriteString("\n# Documents\n")
	var undocumented []string
	for _, t := range orderTypes(p.Types) {
		undocumented = append(undocumented, writeType(&b, p, t)...)
	}
	if len(undocumented) > 0 {
		return nil, fmt.Errorf("fields without a doc comment: %s", strings.Join(undocumented, ", "))
	}
	b.WriteString("\n# Codes\n")
	for _, c := range p.Consts {
		writeCodes(&b, p, c)
	}
	return b.Bytes(), nil
}

func markdown(p *doc.Package, text string) []byte {
	pr := &comment.Printer{HeadingLevel: 3, DocLinkURL: func(l *comment.DocLink) string { return "#" + strings.ToLower(l.Name) }}
	return pr.Markdown(p.Parser().Parse(text))
}

// orderTypes puts schemaDocuments first, then the rest by position.
func orderTypes(ts []*doc.Type) []*doc.Type {
	out := slices.Clone(ts)
	rank := func(t *doc.Type) int {
		if i := slices.Index(schemaDocuments, t.Name); i >= 0 {
			return i
		}
		return len(schemaDocuments)
	}
	slices.SortStableFunc(out, func(a, b *doc.Type) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		return int(a.Decl.Pos() - b.Decl.Pos())
	})
	return out
}

// writeType writes a type's section and returns its fields that have no
// doc comment of their own.
func writeType(b *bytes.Buffer, p *doc.Package, t *doc.Type) []string {
	fmt.Fprintf(b, "\n## %s\n\n", t.Name)
	b.Write(markdown(p, t.Doc))
	st, ok := t.Decl.Specs[0].(*ast.TypeSpec).Type.(*ast.StructType)
	if !ok {
		return nil
	}
	var missing []string
	b.WriteString("\n| key | type | meaning |\n|---|---|---|\n")
	for _, f := range st.Fields.List {
		key, opts, _ := strings.Cut(reflect.StructTag(strings.Trim(f.Tag.Value, "`")).Get("json"), ",")
		what := strings.Join(strings.Fields(f.Doc.Text()), " ")
		switch {
		case key == "version":
			what = "The document's format: [Version] when smartmigrate wrote it."
		case what == "":
			missing = append(missing, t.Name+"."+f.Names[0].Name)
		}
		if opts == "omitempty" && !strings.Contains(what, "mitted") {
			what += " Omitted when empty."
		}
		fmt.Fprintf(b, "| `%s` | %s | %s |\n", key, jsonType(f.Type), what)
	}
	return missing
}

// jsonType says what JSON a Go type is written as.
func jsonType(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		switch e.Name {
		case "string":
			return "string"
		case "int", "int64":
			return "number"
		case "bool":
			return "boolean"
		}
		return fmt.Sprintf("[%s](#%s)", e.Name, strings.ToLower(e.Name))
	case *ast.StarExpr:
		return jsonType(e.X)
	case *ast.ArrayType:
		return "array of " + jsonType(e.Elt)
	case *ast.MapType:
		return "object of " + jsonType(e.Value)
	}
	return "?"
}

// writeCodes writes a const group: its doc, and a table of the codes.
func writeCodes(b *bytes.Buffer, p *doc.Package, c *doc.Value) {
	if len(c.Names) == 1 && c.Names[0] == "Version" {
		return
	}
	b.WriteString("\n")
	b.Write(markdown(p, c.Doc))
	b.WriteString("\n| code | meaning |\n|---|---|\n")
	for _, s := range c.Decl.Specs {
		vs := s.(*ast.ValueSpec)
		lit, _ := vs.Values[0].(*ast.BasicLit)
		what := strings.Join(strings.Fields(vs.Doc.Text()), " ")
		what = strings.TrimPrefix(what, vs.Names[0].Name+": ")
		fmt.Fprintf(b, "| `%s` | %s |\n", strings.Trim(lit.Value, `"`), what)
	}
}
