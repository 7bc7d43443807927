package schema

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"testing"
)

// TestCodesDocumented checks that every code the analysis and the rewrite
// write into an Item (the constants of their code types) is a code this
// package documents, so that the list under Codes cannot fall behind.
func TestCodesDocumented(t *testing.T) {
	documented := map[string]bool{}
	for _, v := range constants(t, "codes.go", "") {
		documented[v] = true
	}
	for _, src := range []struct{ file, typ string }{
		{"../../../internal/analysis/skip.go", "SkipCode"},
		{"../../../internal/analysis/skip.go", "RiskCode"},
		{"../../../rewrite/rewrite.go", "Code"},
	} {
		vals := constants(t, src.file, src.typ)
		if len(vals) == 0 {
			t.Fatalf("%s declares no %s constant: has it moved?", src.file, src.typ)
		}
		for _, v := range vals {
			if !documented[v] {
				t.Errorf("%s %q (%s) is not documented in codes.go", src.typ, v, filepath.Base(src.file))
			}
		}
	}
}

// constants are the string values of the constants declared in file,
// those of type typ when typ is not "".
func constants(t *testing.T, file, typ string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); typ != "" && (!ok || id.Name != typ) {
				continue
			}
			for _, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					out = append(out, s)
				}
			}
		}
	}
	return out
}
