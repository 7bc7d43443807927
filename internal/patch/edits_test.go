package patch

import "testing"

// TestEdits applies the edits to the old text and gets the new one, with
// changes at the start, inside and at the end, and a last line without a
// newline.
func TestEdits(t *testing.T) {
	for _, c := range []struct{ old, new string }{
		{"a\nb\nc\n", "a\nB\nc\n"},
		{"a\nb\nc\n", "x\na\nb\nc\ny"},
		{"a\nb\nc", "a\nc\nd\n"},
		{"", "a\n"},
		{"a\n", ""},
		{"same\n", "same\n"},
	} {
		edits := Edits([]byte(c.old), []byte(c.new))
		got, last := "", 0
		for _, e := range edits {
			if e.Start < last || e.End < e.Start {
				t.Fatalf("%q -> %q: edits out of order: %+v", c.old, c.new, edits)
			}
			got += c.old[last:e.Start] + e.Text
			last = e.End
		}
		got += c.old[last:]
		if got != c.new {
			t.Errorf("%q -> %q: edits %+v give %q", c.old, c.new, edits, got)
		}
		if c.old == c.new && len(edits) != 0 {
			t.Errorf("unchanged text has edits %+v", edits)
		}
	}
}
