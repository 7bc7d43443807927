// Package verify checks a rewritten phase before it is written: the
// changed files stay gofmt-clean, the module type-checks (tests
// included), go vet reports nothing it did not report before, no exported
// identifier of an importable package changes incompatibly
// (golang.org/x/exp/apidiff), and an optional command passes.
//
// By default (VetInProcess) the type-check and go vet's analyzers run in
// this process, on the packages the phase changes and those that import
// them, against the module as it was loaded; with VetGo they run on a
// temporary copy of the module with the phase's files in place, through
// a new load and the go command's go vet. The command always runs in a
// copy.
package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/format"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/parallel"
	"github.com/smartmigrate/smartmigrate/internal/patch"
	"github.com/smartmigrate/smartmigrate/internal/progress"
	"golang.org/x/exp/apidiff"
	"golang.org/x/tools/go/packages"
)

// Input is a phase to verify.
type Input struct {
	// Root is the module root.
	Root string
	// Files are the phase's changes, paths relative to Root.
	Files []patch.FileChange
	// Old is the module as it stands, loaded with every package (./...);
	// nil to load it here.
	Old *load.Module
	// ReleaseOld says that the caller reads no type information (TypesInfo)
	// of Old's packages that the phase changes, or that import them, once
	// Phase is called: the in-process check then empties it as soon as the
	// packages are type-checked again, so that the module's type
	// information is held once, not twice, while the phase is vetted.
	ReleaseOld bool
	// WantModule says that the caller plans the next phase from
	// Result.Module: every package that imports a changed one is then
	// type-checked again. Without it, importers that the phase cannot
	// make compile differently (the changed packages' API only gains
	// names that cannot collide in them) stand as loaded, and
	// Result.Module is nil when any did.
	WantModule bool
	// Command, when set, is run with sh -c in the copy; it must exit 0.
	Command string
	// Progress, when set, says which check runs.
	Progress *progress.Printer
	// Vet says where the type-check and go vet run; "" is VetInProcess.
	Vet VetMode
}

// Step is one check that passed, and how long it took.
type Step struct {
	Name     string
	Duration time.Duration
	// Note says more ("3 compatible API changes").
	Note string
	// Preexisting is what failed the same way before the phase, and so
	// is not blamed on it ("2 packages do not type-check").
	Preexisting string
}

// Result is a phase that passed every check.
type Result struct {
	Steps []Step
	// Compatible are apidiff's compatible changes (additions), by package.
	Compatible map[string][]string
	// Module is, when the checks ran in process, the module as the phase
	// leaves it (the loaded module with the packages checked again in
	// place): what the next phase can be planned from without a load. It
	// is nil when importers were kept as loaded (see Input.WantModule).
	Module *load.Module
}

// Failure is a check the phase does not pass.
type Failure struct {
	// Check is "gofmt", "type-check", "go vet", "API compatibility" or
	// "--verify".
	Check string
	// Detail is what the check printed: type errors, the vet findings the
	// phase adds, apidiff's report, the command's output.
	Detail string
}

func (f *Failure) Error() string {
	return fmt.Sprintf("the phase fails verification (%s); nothing was written:\n%s", f.Check, strings.TrimRight(f.Detail, "\n"))
}

// Phase runs every check (see the package doc for where); it returns a *Failure when the phase does not pass, and an
// error wrapping the context's error when ctx is done before the checks
// are (the loads, go vet and the command are killed; whatever they found
// by then does not count).
func Phase(ctx context.Context, in Input) (*Result, error) {
	res, err := phase(ctx, in)
	if cerr := ctx.Err(); cerr != nil {
		// A check killed by the interrupt fails for no fault of the phase.
		return nil, fmt.Errorf("verification interrupted: %w", cerr)
	}
	return res, err
}

// phaseOnCopy runs the checks of Phase on a copy, in order: the copy, the
// type-check (with go vet running meanwhile), go vet's findings, the API
// comparison and the command.
func phaseOnCopy(ctx context.Context, in Input) (*Result, error) {
	res := &Result{}
	all := time.Now()
	tmp, dir, err := writeCopy(ctx, in)
	if tmp != "" {
		defer os.RemoveAll(tmp)
	}
	if err != nil {
		return nil, err
	}
	res.Steps = append(res.Steps, Step{Name: "copy", Duration: time.Since(all)})
	if err := checkFormat(in.Files, res); err != nil {
		return nil, err
	}

	// go vet on the copy runs while the copy is loaded: both mostly wait
	// on the go command.
	patterns := changedDirs(in.Files)
	bv := startVet(ctx, in.Progress, dir, patterns)
	defer bv.wait() // never remove the copy under go vet

	mod, err := typeCheck(ctx, in, dir, res)
	if err != nil {
		return nil, err
	}
	if err := checkVet(ctx, in, patterns, bv.wait(), res); err != nil {
		return nil, err
	}
	if err := checkAPI(ctx, in, mod, res); err != nil {
		return nil, err
	}
	if err := runCommand(ctx, in, dir, res); err != nil {
		return nil, err
	}
	in.Progress.Printf("phase verified in %s", progress.Round(time.Since(all)))
	return res, nil
}

// checkFormat fails when a Go file the phase changes was gofmt-clean and
// is not any more (a CI that checks formatting would fail after apply).
// A file that was not clean is not judged; a new file must be clean.
func checkFormat(files []patch.FileChange, res *Result) error {
	start := time.Now()
	spoilt := parallel.Map(len(files), func(i int) bool {
		f := files[i]
		judged := strings.HasSuffix(f.Path, ".go") && f.New != nil && (f.Old == nil || gofmtClean(f.Old))
		return judged && !gofmtClean(f.New)
	})
	var bad []string
	for i, f := range files {
		if spoilt[i] {
			bad = append(bad, f.Path+": gofmt would change it")
		}
	}
	if len(bad) > 0 {
		return &Failure{Check: "gofmt", Detail: strings.Join(bad, "\n")}
	}
	res.Steps = append(res.Steps, Step{Name: "gofmt", Duration: time.Since(start)})
	return nil
}

// gofmtClean reports whether src is Go that gofmt leaves as it is.
func gofmtClean(src []byte) bool {
	out, err := format.Source(src)
	return err == nil && bytes.Equal(out, src)
}

// writeCopy copies the module to a new temporary folder tmp and writes the
// phase's files in the copy, dir, with a go.work beside it when the module
// is a workspace member. tmp is set, for the caller to remove, even when
// the copy fails.
func writeCopy(ctx context.Context, in Input) (tmp, dir string, err error) {
	in.Progress.Printf("copying the module to verify the phase…")
	tmp, err = os.MkdirTemp("", copyPattern())
	if err != nil {
		return "", "", err
	}
	dir = filepath.Join(tmp, filepath.Base(in.Root))
	if err := CopyModule(in.Root, dir); err != nil {
		return tmp, "", fmt.Errorf("copy the module to verify the phase: %w", err)
	}
	if err := writeFiles(dir, in.Files); err != nil {
		return tmp, "", err
	}
	work, err := workspaceOf(ctx, in.Root)
	if err != nil {
		return tmp, "", err
	}
	if env := os.Getenv("GOWORK"); work != "" && env != "" {
		// The go command would use that workspace in the copy too, and
		// verify the module as it stands instead of the phase.
		return tmp, "", fmt.Errorf("GOWORK=%s is set: unset it, so that verification can give its copy of the module a workspace of its own (the go.work above the module is found without it)", env)
	}
	if work != "" {
		if err := writeWorkspace(work, in.Root, dir, tmp); err != nil {
			return tmp, "", err
		}
	}
	return tmp, dir, nil
}

// writeFiles writes files below dir; a file whose New is nil is removed.
// It never writes through a symbolic link: a path with a linked folder in
// it is an error, and the file itself is removed first and created anew.
func writeFiles(dir string, files []patch.FileChange) error {
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := noLinkedFolder(dir, f.Path); err != nil {
			return err
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("verification copy: %w", err)
		}
		if f.New == nil {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("verification copy: %w", err)
		}
		out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return fmt.Errorf("verification copy: %w", err)
		}
		if _, err := out.Write(f.New); err != nil {
			out.Close()
			return fmt.Errorf("verification copy: write %s: %w", path, err)
		}
		if err := out.Close(); err != nil {
			return fmt.Errorf("verification copy: write %s: %w", path, err)
		}
	}
	return nil
}

// noLinkedFolder refuses rel (below dir) when a folder on its way is a
// symbolic link: writing there would write outside the copy.
func noLinkedFolder(dir, rel string) error {
	parts := strings.Split(rel, "/")
	cur := dir
	for _, p := range parts[:len(parts)-1] {
		cur = filepath.Join(cur, p)
		fi, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("verification copy: %w", err)
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("verification copy: %s is below %s, a symbolic link; smartmigrate never writes through a link", rel, cur)
		}
	}
	return nil
}

// vetResult is what go vet on the copy found, and how long it took.
type vetResult struct {
	findings []finding
	err      error
	took     time.Duration
}

// backgroundVet is go vet running on the copy.
type backgroundVet struct {
	done chan vetResult
	once sync.Once
	res  vetResult
}

// startVet starts go vet on patterns in dir; with no pattern it vets
// nothing.
func startVet(ctx context.Context, pr *progress.Printer, dir string, patterns []string) *backgroundVet {
	bv := &backgroundVet{done: make(chan vetResult, 1)}
	go func() {
		start := time.Now()
		var r vetResult
		if len(patterns) > 0 {
			pr.Printf("go vet %s…", strings.Join(patterns, " "))
			r.findings, r.err = vet(ctx, dir, patterns)
		}
		r.took = time.Since(start)
		bv.done <- r
	}()
	return bv
}

// wait returns go vet's result once it has finished; it can be called
// again.
func (bv *backgroundVet) wait() vetResult {
	bv.once.Do(func() { bv.res = <-bv.done })
	return bv.res
}

// typeCheck is check (a): the rewritten module in dir loads and
// type-checks, tests included, but for what did not type-check before
// the phase either (reported as pre-existing, not blamed on it).
func typeCheck(ctx context.Context, in Input, dir string, res *Result) (*load.Module, error) {
	start := time.Now()
	mod, err := load.LoadWith(ctx, load.Options{Progress: in.Progress, What: "the rewritten copy", Partial: true}, dir)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		var le *load.Error
		if errors.As(err, &le) {
			return nil, &Failure{Check: "type-check", Detail: strings.Join(le.Messages, "\n")}
		}
		return nil, &Failure{Check: "type-check", Detail: err.Error()}
	}
	pre := ""
	if len(mod.Broken) > 0 {
		old, err := oldModule(ctx, &in)
		if err != nil {
			return nil, err
		}
		if added := addedErrors(old.Broken, mod.Broken); len(added) > 0 {
			return nil, &Failure{Check: "type-check", Detail: strings.Join(added, "\n")}
		}
		pre = fmt.Sprintf("%d %s did not type-check before the phase either", len(mod.Broken), plural(len(mod.Broken), "package", "packages"))
	}
	res.Steps = append(res.Steps, Step{Name: "type-check", Duration: time.Since(start), Preexisting: pre})
	return mod, nil
}

// oldModule is the module as it stands: in.Old, loaded here (and kept in
// in) when nil.
func oldModule(ctx context.Context, in *Input) (*load.Module, error) {
	if in.Old != nil {
		return in.Old, nil
	}
	old, err := load.LoadWith(ctx, load.Options{Progress: in.Progress, What: "the module as it stands", Partial: true}, in.Root)
	if err != nil {
		return nil, fmt.Errorf("load the module as it stands: %w", err)
	}
	in.Old = old
	return old, nil
}

// addedErrors are the type errors of after that before does not have,
// compared by file and message (a phase moves lines).
func addedErrors(before, after []load.Broken) []string {
	had := map[string]bool{}
	for _, b := range before {
		for _, m := range b.Messages {
			had[errorKey(m)] = true
		}
	}
	var added []string
	for _, b := range after {
		for _, m := range b.Messages {
			if !had[errorKey(m)] {
				added = append(added, m)
			}
		}
	}
	return added
}

// errorKey is "file: msg" for "file:line:col: msg".
func errorKey(m string) string {
	pos, msg, ok := strings.Cut(m, ": ")
	if !ok {
		return m
	}
	file, _, _ := strings.Cut(pos, ":")
	return file + ": " + msg
}

// checkVet is check (b): go vet (its result vr) adds no finding on the
// changed packages, patterns. The module as it stands is vetted only when
// the copy has findings, to compare.
func checkVet(ctx context.Context, in Input, patterns []string, vr vetResult, res *Result) error {
	if len(patterns) > 0 {
		in.Progress.Printf("go vet done in %s", progress.Round(vr.took))
	}
	start := time.Now().Add(-vr.took)
	if len(patterns) > 0 {
		if vr.err != nil {
			// go vet that cannot run on the module as it stands either (a
			// missing go.sum entry, a package that does not type-check) is
			// not the phase's fault: it is reported, not blamed.
			if _, err := vet(ctx, in.Root, patterns); err == nil {
				return &Failure{Check: "go vet", Detail: vr.err.Error()}
			}
			in.Progress.Printf("go vet fails on the module as it stands too; not blamed on the phase")
			res.Steps = append(res.Steps, Step{Name: "go vet", Duration: time.Since(start), Note: strings.Join(patterns, " "),
				Preexisting: "go vet fails on the module as it stands too: " + firstLine(vr.err.Error())})
			return nil
		}
		if len(vr.findings) > 0 {
			in.Progress.Printf("go vet on the module as it stands, to compare…")
			before, err := vet(ctx, in.Root, patterns)
			if err != nil {
				return fmt.Errorf("go vet on the module as it stands: %w", err)
			}
			if added := addedFindings(before, vr.findings); len(added) > 0 {
				return &Failure{Check: "go vet", Detail: "findings the phase adds:\n" + strings.Join(added, "\n")}
			}
		}
	}
	res.Steps = append(res.Steps, Step{Name: "go vet", Duration: time.Since(start), Note: strings.Join(patterns, " ")})
	return nil
}

// firstLine is s up to its first newline.
func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// checkAPI is check (c): no incompatible change to an importable
// package's API between the module as it stands and mod; the compatible
// changes go to res.Compatible.
func checkAPI(ctx context.Context, in Input, mod *load.Module, res *Result) error {
	start := time.Now()
	in.Progress.Printf("comparing the API (apidiff)…")
	old, err := oldModule(ctx, &in)
	if err != nil {
		return err
	}
	reports, err := apiChanges(old, mod, in.Files)
	if err != nil {
		return err
	}
	bad, ncompat := summarizeAPI(reports, res)
	if bad != "" {
		return &Failure{Check: "API compatibility", Detail: bad}
	}
	res.Steps = append(res.Steps, Step{Name: "API compatibility", Duration: time.Since(start),
		Note: fmt.Sprintf("%d %s compared, %d compatible %s", len(reports), plural(len(reports), "package", "packages"), ncompat, plural(ncompat, "change", "changes"))})
	return nil
}

// summarizeAPI returns apidiff's report on the packages of reports with
// incompatible changes ("" when none has any), and how many compatible
// changes there are; it adds those to res.Compatible.
func summarizeAPI(reports []pkgReport, res *Result) (bad string, ncompat int) {
	var b strings.Builder
	for _, r := range reports {
		if r.incompatible() {
			fmt.Fprintf(&b, "package %s\n", r.path)
			r.report.Text(&b)
		}
		for _, c := range r.report.Changes {
			if !c.Compatible {
				continue
			}
			if res.Compatible == nil {
				res.Compatible = map[string][]string{}
			}
			res.Compatible[r.path] = append(res.Compatible[r.path], c.Message)
			ncompat++
		}
	}
	return b.String(), ncompat
}

// runCommand is check (d): the user's command, if any, passes in the copy
// in dir.
func runCommand(ctx context.Context, in Input, dir string, res *Result) error {
	if in.Command == "" {
		return nil
	}
	start := time.Now()
	in.Progress.Printf("running --verify %q…", in.Command)
	cmd := command(ctx, "sh", "-c", in.Command)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return &Failure{Check: "--verify", Detail: fmt.Sprintf("%q in a copy of the module with the phase applied: %v\n%s", in.Command, err, tail(out.String(), 40))}
	}
	res.Steps = append(res.Steps, Step{Name: "--verify", Duration: time.Since(start), Note: in.Command})
	return nil
}

// CopyModule copies the tree below root to dst, leaving out .git and
// .smartmigrate folders. Symbolic links are copied as what they point to
// (a file's contents, a folder's tree), so nothing written in the copy, by
// the checks or by a --verify command, reaches outside it; a dangling link
// and a link back into a folder being copied (a loop) are left out.
func CopyModule(root, dst string) error {
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return fmt.Errorf("copy %s: %w", root, err)
	}
	// Walk the real folder: a root reached through a link would
	// otherwise be one link entry, not a tree.
	return copyTree(real, dst, map[string]bool{real: true})
}

// copyTree copies root to dst; open holds the real paths of the folders
// being copied, root's included.
func copyTree(root, dst string, open map[string]bool) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			if path != root && (d.Name() == ".git" || d.Name() == ".smartmigrate") {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			return copyLink(path, target, open)
		case !d.Type().IsRegular():
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return copyFile(path, target, info.Mode().Perm())
	})
}

// copyLink copies what the symbolic link path points to, to target.
func copyLink(path, target string, open map[string]bool) error {
	fi, err := os.Stat(path)
	if err != nil {
		return nil // dangling: nothing the build can read
	}
	if fi.Mode().IsRegular() {
		return copyFile(path, target, fi.Mode().Perm())
	}
	if !fi.IsDir() {
		return nil
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil || open[real] {
		return nil // a loop
	}
	open[real] = true
	defer delete(open, real)
	return copyTree(real, target, open)
}

func copyFile(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// changedDirs returns the go package patterns ("./api", ".") of the
// folders holding changed .go files.
func changedDirs(files []patch.FileChange) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range files {
		if !strings.HasSuffix(f.Path, ".go") {
			continue
		}
		d := filepath.ToSlash(filepath.Dir(filepath.FromSlash(f.Path)))
		p := "./" + d
		if d == "." {
			p = "."
		}
		if f.New == nil {
			continue // a deleted file's folder may be gone
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// finding is one go vet diagnostic.
type finding struct {
	// key identifies the finding without its line and column (lines move):
	// file, analyzer and message.
	key string
	// pos is the finding's position, for people.
	pos string
}

// vet runs go vet -json on patterns in dir and returns its findings.
func vet(ctx context.Context, dir string, patterns []string) ([]finding, error) {
	cmd := command(ctx, "go", append([]string{"vet", "-json"}, patterns...)...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go vet %s: %v\n%s", strings.Join(patterns, " "), err, tail(stderr.String(), 40))
	}
	// go vet -json writes, per package, {"pkg": {"analyzer": [diagnostics]
	// or {"error": ...}}}, to standard output or (older go) standard error,
	// after "# pkg" lines.
	var out []finding
	for _, stream := range []string{stdout.String(), stderr.String()} {
		var lines []string
		for _, l := range strings.Split(stream, "\n") {
			if !strings.HasPrefix(l, "#") {
				lines = append(lines, l)
			}
		}
		dec := json.NewDecoder(strings.NewReader(strings.Join(lines, "\n")))
		for {
			var pkgs map[string]map[string]json.RawMessage
			if err := dec.Decode(&pkgs); err == io.EOF {
				break
			} else if err != nil {
				return nil, fmt.Errorf("go vet -json: %w", err)
			}
			for _, analyzers := range pkgs {
				for name, raw := range analyzers {
					var diags []struct {
						Posn    string `json:"posn"`
						Message string `json:"message"`
					}
					if err := json.Unmarshal(raw, &diags); err != nil {
						var e struct {
							Error string `json:"error"`
						}
						if json.Unmarshal(raw, &e) == nil && e.Error != "" {
							return nil, fmt.Errorf("go vet: %s: %s", name, e.Error)
						}
						return nil, fmt.Errorf("go vet -json: %s: %w", name, err)
					}
					for _, d := range diags {
						file, pos := splitPosn(dir, d.Posn)
						out = append(out, finding{key: file + "\x00" + name + "\x00" + d.Message, pos: pos + ": " + d.Message + " (" + name + ")"})
					}
				}
			}
		}
	}
	return out, nil
}

// splitPosn returns the file of a "file:line:col" position relative to
// dir, and the position with that relative file.
func splitPosn(dir, posn string) (file, pos string) {
	file, rest := posn, ""
	for range 2 {
		if i := strings.LastIndexByte(file, ':'); i >= 0 && isDigits(file[i+1:]) {
			file, rest = file[:i], file[i:]+rest
		}
	}
	if rel, err := filepath.Rel(dir, file); err == nil && !strings.HasPrefix(rel, "..") {
		file = filepath.ToSlash(rel)
	}
	return file, file + rest
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// addedFindings returns the findings of after that before does not have,
// comparing multisets of keys.
func addedFindings(before, after []finding) []string {
	count := map[string]int{}
	for _, f := range before {
		count[f.key]++
	}
	var added []string
	for _, f := range after {
		if count[f.key] > 0 {
			count[f.key]--
			continue
		}
		added = append(added, f.pos)
	}
	sort.Strings(added)
	return added
}

// pkgReport is apidiff's report on one package.
type pkgReport struct {
	path   string
	report apidiff.Report
}

func (r pkgReport) incompatible() bool {
	for _, c := range r.report.Changes {
		if !c.Compatible {
			return true
		}
	}
	return false
}

// apiChanges compares, with apidiff, the old and new types of every
// importable package (not main, not below internal/, not a test package)
// that holds a changed file.
func apiChanges(old, cur *load.Module, files []patch.FileChange) ([]pkgReport, error) {
	changed := map[string]bool{}
	for _, f := range files {
		changed[filepath.ToSlash(filepath.Dir(filepath.FromSlash(f.Path)))] = true
	}
	oldPkgs := map[string]*packages.Package{}
	for _, p := range old.Packages {
		oldPkgs[p.PkgPath] = p
	}
	var out []pkgReport
	for _, p := range cur.Packages {
		if p.Name == "main" || strings.HasSuffix(p.PkgPath, "_test") || !importable(p.PkgPath) || p.Types == nil {
			continue
		}
		if !holdsChanged(cur, p, changed) {
			continue
		}
		op := oldPkgs[p.PkgPath]
		if op == nil || op.Types == nil {
			continue // a new package: nothing to break
		}
		out = append(out, pkgReport{path: p.PkgPath, report: apidiff.Changes(op.Types, p.Types)})
	}
	return out, nil
}

func holdsChanged(m *load.Module, p *packages.Package, changed map[string]bool) bool {
	files := append(append([]string{}, p.GoFiles...), p.IgnoredFiles...)
	for _, f := range files {
		if changed[filepath.ToSlash(filepath.Dir(filepath.FromSlash(m.Rel(f))))] {
			return true
		}
	}
	return false
}

// importable reports whether code outside the module can import path: it
// has no internal element.
func importable(path string) bool {
	for _, el := range strings.Split(path, "/") {
		if el == "internal" {
			return false
		}
	}
	return true
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("(%d lines before)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
