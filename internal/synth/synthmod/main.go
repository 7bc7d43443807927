// Command synthmod writes a synthetic legacy Go module for scale tests.
//
//	go run ./internal/synth/synthmod -lines 100000 -o /tmp/synth100k
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/smartmigrate/smartmigrate/internal/synth"
)

func main() {
	var o synth.Options
	out := flag.String("o", "", "folder to write the module into (required; must not exist)")
	flag.IntVar(&o.Lines, "lines", 100000, "approximate lines of Go")
	flag.IntVar(&o.Layers, "layers", 6, "depth of the package graph")
	flag.IntVar(&o.FuncsPerPackage, "funcs", 60, "functions per package")
	flag.Uint64Var(&o.Seed, "seed", 1, "seed of the call graph")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "synthmod: -o is required")
		os.Exit(2)
	}
	if _, err := os.Stat(*out); err == nil {
		fmt.Fprintf(os.Stderr, "synthmod: %s exists\n", *out)
		os.Exit(2)
	}
	st, err := synth.Generate(*out, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "synthmod:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d packages, %d functions, %d files, %d lines\n", *out, st.Packages, st.Funcs, st.Files, st.Lines)
}
