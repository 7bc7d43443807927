package analysis

import "go/ast"

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
