package verify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/progress"
	"golang.org/x/tools/go/packages"
)

// VetMode says where the type-check and go vet's analyzers run.
type VetMode string

const (
	// VetInProcess checks, in this process and against the module as
	// loaded, only the packages the phase changes and those that import
	// them, and runs go vet's analyzers on the changed packages before
	// and after the phase. It is the default.
	VetInProcess VetMode = "inprocess"
	// VetGo checks a copy of the module: a new load of all of it, and
	// the go command's own go vet on the changed packages.
	VetGo VetMode = "go"
)

// VetModes are the values of VetMode, for flags and their help.
var VetModes = []VetMode{VetInProcess, VetGo}

// ParseVetMode reads a --vet value; "" is VetInProcess.
func ParseVetMode(s string) (VetMode, error) {
	switch VetMode(s) {
	case "", VetInProcess:
		return VetInProcess, nil
	case VetGo:
		return VetGo, nil
	}
	return "", fmt.Errorf("%q is not a mode: want %s or %s", s, VetInProcess, VetGo)
}

// phase runs the checks in process, or on a copy with in.Vet == VetGo or
// when the phase is one the in-process checks cannot judge.
func phase(ctx context.Context, in Input) (*Result, error) {
	if in.Vet == VetGo {
		return phaseOnCopy(ctx, in)
	}
	res, err := phaseInProcess(ctx, in)
	var nc *needsCopy
	if !errors.As(err, &nc) {
		return res, err
	}
	in.Progress.Printf("verifying on a copy: %s", nc.why)
	res, err = phaseOnCopy(ctx, in)
	if res != nil {
		res.Steps = append([]Step{{Name: "in process", Note: "not possible: " + nc.why}}, res.Steps...)
	}
	return res, err
}

// phaseInProcess runs gofmt, the incremental type-check, go vet's
// analyzers and apidiff in process, and the command, if any, on a copy.
func phaseInProcess(ctx context.Context, in Input) (*Result, error) {
	res := &Result{}
	all := time.Now()
	if err := checkFormat(in.Files, res); err != nil {
		return nil, err
	}
	old, err := oldModule(ctx, &in)
	if err != nil {
		return nil, err
	}
	inc, err := typeCheckInProcess(ctx, in, old, res)
	if err != nil {
		return nil, err
	}
	if in.ReleaseOld {
		inc.releaseOld()
	}
	if err := checkVetInProcess(ctx, in, inc, res); err != nil {
		return nil, err
	}
	res.Module = inc.module()
	if err := checkAPI(ctx, in, res.Module, res); err != nil {
		return nil, err
	}
	if len(inc.kept) > 0 || inc.leftToVariants() > 0 {
		res.Module = nil // its kept packages import the old versions
	}
	if err := commandOnCopy(ctx, in, res); err != nil {
		return nil, err
	}
	in.Progress.Printf("phase verified in %s", progress.Round(time.Since(all)))
	return res, nil
}

// typeCheckInProcess is the type-check of the packages the phase changes
// and of those that import them, against the module as loaded; type
// errors the module had before (compared by file and message) are not
// blamed on the phase.
func typeCheckInProcess(ctx context.Context, in Input, old *load.Module, res *Result) (*incremental, error) {
	start := time.Now()
	in.Progress.Printf("type-checking the changed packages and those that import them…")
	inc, err := checkIncremental(ctx, old, in.Files, !in.WantModule)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, v := range inc.stale {
		if v {
			n++
		}
	}
	n -= len(inc.kept) + inc.leftToVariants()
	note := fmt.Sprintf("%d %s checked again in process", n, plural(n, "package", "packages"))
	if v := inc.leftToVariants(); v > 0 {
		note += fmt.Sprintf(" (%d only as %s test %s)", v, plural(v, "its", "their"), plural(v, "variant", "variants"))
	}
	if k := len(inc.kept); k > 0 {
		note += fmt.Sprintf("; %d %s as loaded: the changed packages' API only gains names that cannot collide in them", k, plural(k, "importer", "importers"))
	}
	if added := addedErrors(inc.before(), inc.broken()); len(added) > 0 {
		return nil, &Failure{Check: "type-check", Detail: strings.Join(added, "\n")}
	}
	pre := ""
	if len(old.Broken) > 0 {
		pre = fmt.Sprintf("%d %s did not type-check before the phase either", len(old.Broken), plural(len(old.Broken), "package", "packages"))
	}
	res.Steps = append(res.Steps, Step{Name: "type-check", Duration: time.Since(start), Note: note, Preexisting: pre})
	return inc, nil
}

// checkVetInProcess runs go vet's analyzers on the packages of the
// changed folders as the phase leaves them and, when they find anything,
// as they were, and fails
// on the findings the phase adds (compared by file, analyzer and
// message: findings that only moved are not new).
func checkVetInProcess(ctx context.Context, in Input, inc *incremental, res *Result) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	start := time.Now()
	patterns := changedDirs(in.Files)
	dirs := map[string]bool{}
	for _, p := range patterns {
		dirs[strings.TrimPrefix(p, "./")] = true
	}
	var before, after []*packages.Package
	for _, p := range inc.old.Packages {
		if len(p.CompiledGoFiles) > 0 && dirs[inc.old.Rel(filepath.Dir(p.CompiledGoFiles[0]))] {
			before, after = append(before, p), append(after, inc.checked[p])
		}
	}
	in.Progress.Printf("go vet's analyzers on %s, before and after the phase…", strings.Join(patterns, " "))
	v := &vetViews{mod: inc.old, views: map[*packages.Package]*packages.Package{}, inMod: inc.inModule}
	// The packages as they were are analysed only when there are
	// findings to compare, as go vet on the copy does.
	_, is, err := vetInProcess(v, nil, after)
	if err != nil {
		return err
	}
	var was []finding
	if len(is) > 0 {
		if before, err = inc.beforeAgain(ctx, before); err != nil {
			return err
		}
		if was, _, err = vetInProcess(v, before, nil); err != nil {
			return err
		}
	}
	if added := addedFindings(was, is); len(added) > 0 {
		return &Failure{Check: "go vet", Detail: "findings the phase adds:\n" + strings.Join(added, "\n")}
	}
	step := Step{Name: "go vet", Duration: time.Since(start), Note: strings.Join(patterns, " ") + " (in process)"}
	if skipped := inc.brokenIn(dirs); len(skipped) > 0 {
		step.Preexisting = "go vet's analyzers skip what does not type-check, as before the phase: " + strings.Join(skipped, ", ")
	}
	res.Steps = append(res.Steps, step)
	return nil
}

// commandOnCopy runs the --verify command, if any, in a copy of the
// module with the phase's files written: it is the user's own command,
// so it gets a tree of its own.
func commandOnCopy(ctx context.Context, in Input, res *Result) error {
	if in.Command == "" {
		return nil
	}
	start := time.Now()
	tmp, dir, err := writeCopy(ctx, in)
	if tmp != "" {
		defer os.RemoveAll(tmp)
	}
	if err != nil {
		return err
	}
	res.Steps = append(res.Steps, Step{Name: "copy", Duration: time.Since(start)})
	return runCommand(ctx, in, dir, res)
}
