package patch

// Edit replaces the bytes Start..End of an old file with Text.
type Edit struct {
	Start, End int
	Text       string
}

// Edits are the line edits that turn old into new, in order and not
// overlapping: one per run of changed lines, each replacing whole old
// lines (an insertion has Start == End at the start of a line).
func Edits(old, new []byte) []Edit {
	var out []Edit
	off := 0 // offset in old of the script's current line
	var cur *Edit
	flush := func() {
		if cur != nil {
			out = append(out, *cur)
			cur = nil
		}
	}
	for _, l := range lineDiff(string(old), string(new)) {
		text := l[1:]
		if l[0] == ' ' {
			flush()
			off += len(text)
			continue
		}
		if cur == nil {
			cur = &Edit{Start: off, End: off}
		}
		if l[0] == '-' {
			off += len(text)
			cur.End = off
		} else {
			cur.Text += text
		}
	}
	flush()
	return out
}
