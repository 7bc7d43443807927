package analysis

import (
	"go/ast"
	"slices"

	"github.com/smartmigrate/smartmigrate/internal/parallel"
)

// WalkStack visits every node below root, depth first, with the stack of
// nodes from root to it (the node itself last), as ast.Inspect does. The
// stack is reused: a visitor keeps a copy if it needs one after it
// returns.
func WalkStack(root ast.Node, visit func(n ast.Node, stack []ast.Node)) {
	var stack []ast.Node
	ast.Inspect(root, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		visit(n, stack)
		return true
	})
}

// hit is a node that searchFiles found, with its file and a copy of the
// stack above it (the node last, as WalkStack gives it).
type hit struct {
	file  *File
	stack []ast.Node
}

// searchFiles walks every file of pkgs side by side and returns, in
// package and file order and in walk order within a file, the nodes that
// match accepts. match runs on several goroutines and must only read: a
// pass that records what it finds does so afterwards, one hit at a time,
// in the order a sequential walk would have, so its results do not
// depend on scheduling. The walk is most of such a pass; the hits are
// few.
func searchFiles(pkgs []*Package, match func(file *File, n ast.Node, stack []ast.Node) bool) []hit {
	var files []*File
	for _, p := range pkgs {
		files = append(files, p.Files...)
	}
	found := parallel.Map(len(files), func(i int) []hit {
		var out []hit
		WalkStack(files[i].Syntax, func(n ast.Node, stack []ast.Node) {
			if match(files[i], n, stack) {
				out = append(out, hit{files[i], slices.Clone(stack)})
			}
		})
		return out
	})
	return slices.Concat(found...)
}

// node is the node found.
func (h hit) node() ast.Node { return h.stack[len(h.stack)-1] }
