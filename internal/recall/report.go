//go:build recall

package recall

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteReport writes the table of results, then each library's misses
// by cause, its extras and the interface methods, name by name.
func WriteReport(w io.Writer, results []*Result) error {
	if err := writeTable(w, results); err != nil {
		return err
	}
	for _, r := range results {
		writeDetails(w, r)
	}
	return nil
}

// writeTable writes one row per library and, below it, its misses by
// cause.
func writeTable(w io.Writer, results []*Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "library\tbefore -> after\tlines\tphases\tmaintainers\ttool (no wait)\tmatched\trecall\textras (no wait)\tiface methods (covered)\tgoal")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s -> %s\t%d\t%s\t%d\t%d (%d)\t%d\t%.1f%%\t%d (%d)\t%d (%d)\t%s\n",
			r.Library.Name, r.Library.Before, r.Library.After, r.Lines, phasesCell(r),
			len(r.Maintainers), len(r.Tool), len(r.NoWait), r.Matched, r.Recall(),
			len(r.Extras), r.ExtrasWithoutWait(), len(r.Iface), r.IfaceCovered, goal(r))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write the recall table: %w", err)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "misses by cause:")
	for _, r := range results {
		fmt.Fprintf(w, "  %s:", r.Library.Name)
		for _, c := range causeCounts(r.Misses) {
			fmt.Fprintf(w, " %s %d;", c.cause, c.n)
		}
		if len(r.Misses) == 0 {
			fmt.Fprint(w, " none")
		}
		fmt.Fprintln(w)
	}
	return nil
}

// phasesCell is the phases applied, "!" when the migration stopped.
func phasesCell(r *Result) string {
	if r.Stopped != "" {
		return fmt.Sprintf("%d (stopped)", len(r.Phases))
	}
	return fmt.Sprint(len(r.Phases))
}

// goal says whether r met the goal, or what it missed.
func goal(r *Result) string {
	if r.GoalMet() {
		return "met"
	}
	var why []string
	if r.Stopped != "" {
		why = append(why, "stopped")
	}
	if r.Recall() < 80 {
		why = append(why, "recall<80%")
	}
	if len(r.NoWait) > 0 {
		why = append(why, "ctx forms without a wait")
	}
	return "not met: " + strings.Join(why, ", ")
}

type causeCount struct {
	cause string
	n     int
}

// causeCounts counts misses by cause, most first.
func causeCounts(misses []Miss) []causeCount {
	byCause := map[string]int{}
	for _, m := range misses {
		byCause[m.Cause]++
	}
	var out []causeCount
	for c, n := range byCause {
		out = append(out, causeCount{c, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].n != out[j].n {
			return out[i].n > out[j].n
		}
		return out[i].cause < out[j].cause
	})
	return out
}

// writeDetails writes r's timings, the error that stopped it, its misses
// by cause, its extras and the interface methods, one name a line.
func writeDetails(w io.Writer, r *Result) {
	fmt.Fprintf(w, "\n== %s: %s -> %s\n", r.Library.Name, r.Library.Before, r.Library.After)
	fmt.Fprintf(w, "timings: fetch %s, model %s, migrate %s (%s)\n",
		round(r.Timings.Fetch), round(r.Timings.Model), round(r.Timings.Migrate), phaseTimes(r.Phases))
	if r.Stopped != "" {
		fmt.Fprintf(w, "migration stopped: %s\n", r.Stopped)
	}
	fmt.Fprintf(w, "matched (%d): %s\n", r.Matched, joinKeys(matched(r)))
	for _, c := range causeCounts(r.Misses) {
		fmt.Fprintf(w, "misses, %s (%d):\n", c.cause, c.n)
		for _, m := range r.Misses {
			if m.Cause == c.cause {
				fmt.Fprintf(w, "  %s [%s]%s\n", m.Key, m.How, suffix(m.Detail))
			}
		}
	}
	if len(r.NoWait) > 0 {
		fmt.Fprintf(w, "ctx forms with no wait behind them (%d): %s\n", len(r.NoWait), joinKeys(r.NoWait))
	}
	fmt.Fprintf(w, "extras (%d, %d without a wait):\n", len(r.Extras), r.ExtrasWithoutWait())
	for _, e := range r.Extras {
		fmt.Fprintf(w, "  %s [%s; %s]: %s%s\n", e.Key, e.How, newState(e), waitWord(e.Wait), suffix(e.Detail))
	}
	fmt.Fprintf(w, "interface methods the maintainers gave a ctx (%d, %d covered by an implementation the tool gave one):\n", len(r.Iface), r.IfaceCovered)
	for _, k := range sortedKeys(r.Iface) {
		fmt.Fprintf(w, "  %s [%s]\n", k, r.Iface[k].How)
	}
}

// matched are the functions both gave a ctx, sorted by name.
func matched(r *Result) []Key {
	var out []Key
	for _, k := range sortedKeys(r.Maintainers) {
		if _, ok := r.Tool[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

// joinKeys is the keys' names, comma-separated.
func joinKeys(keys []Key) string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.String()
	}
	return strings.Join(names, ", ")
}

// phaseTimes is the shortest, median and longest phase.
func phaseTimes(phases []Phase) string {
	if len(phases) == 0 {
		return "no phase"
	}
	d := make([]time.Duration, len(phases))
	for i, p := range phases {
		d[i] = p.Took
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return fmt.Sprintf("%d phases: min %s, median %s, max %s", len(d), round(d[0]), round(d[len(d)/2]), round(d[len(d)-1]))
}

func suffix(detail string) string {
	if detail == "" {
		return ""
	}
	return ": " + detail
}

// newState says what the new version has under an extra's name.
func newState(e Extra) string {
	if e.Gone {
		return "gone in the new version"
	}
	return "no ctx in the new version"
}

func waitWord(ok bool) string {
	if ok {
		return "wait"
	}
	return "NO WAIT"
}
