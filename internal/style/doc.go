// Package style holds the repository's own style rules as tests: every
// function's cyclomatic complexity stays under 25, and every exported name
// of non-test code has a doc comment.
package style
