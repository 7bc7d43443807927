package analysis

// LeaveOut takes the units for which leave returns a non-zero Skip out of
// the model, after the analysis: their functions get that Skip (so the
// plan lists them as left out, and counts them so) and no unit migrates
// them any more. A caller outside the analysis uses it for reasons the
// analysis cannot see (a source file that is a symbolic link).
func (m *Model) LeaveOut(leave func(*Unit) Skip) {
	kept := m.Units[:0]
	for _, u := range m.Units {
		s := leave(u)
		if s.IsZero() {
			kept = append(kept, u)
			continue
		}
		for _, f := range u.Funcs {
			f.Skip = s
			delete(m.unitOf, f)
		}
	}
	clear(m.Units[len(kept):])
	m.Units = kept
}
