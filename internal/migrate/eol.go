package migrate

import (
	"bytes"

	"github.com/smartmigrate/smartmigrate/internal/patch"
)

// keepLineEndings gives the new contents of every changed file whose
// lines end in CRLF (most of them: a file that mixes both keeps what it
// has) CRLF endings on the lines the rewrite printed with LF. The Go
// compiler drops carriage returns from raw strings, so this changes no
// meaning.
func keepLineEndings(files []patch.FileChange) {
	for i, f := range files {
		if f.Old == nil || f.New == nil || !mostlyCRLF(f.Old) {
			continue
		}
		files[i].New = toCRLF(f.New)
	}
}

// mostlyCRLF reports whether more lines of data end in CRLF than in LF
// alone.
func mostlyCRLF(data []byte) bool {
	crlf := bytes.Count(data, []byte("\r\n"))
	return crlf > bytes.Count(data, []byte("\n"))-crlf
}

// toCRLF returns data with every LF that has no CR before it preceded by
// one.
func toCRLF(data []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(data) + bytes.Count(data, []byte("\n")))
	for i, c := range data {
		if c == '\n' && (i == 0 || data[i-1] != '\r') {
			b.WriteByte('\r')
		}
		b.WriteByte(c)
	}
	return b.Bytes()
}
