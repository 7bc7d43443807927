package migrate

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/patch"
)

// keepLineEndings gives the new contents of every changed file whose
// lines end in CRLF (most of them: a file that mixes both keeps what it
// has) CRLF endings on the lines the rewrite printed with LF. The Go
// compiler drops carriage returns from raw strings, so this changes no
// meaning.
//
// A file the phase creates (a helper) gets CRLF when most .go files of its
// folder below root end their lines so.
func keepLineEndings(root string, files []patch.FileChange) {
	for i, f := range files {
		if f.New == nil {
			continue
		}
		crlf := f.Old != nil && mostlyCRLF(f.Old)
		if f.Old == nil {
			crlf = folderCRLF(filepath.Join(root, filepath.Dir(filepath.FromSlash(f.Path))))
		}
		if crlf {
			files[i].New = toCRLF(f.New)
		}
	}
}

// folderCRLF reports whether most .go files of dir end their lines in
// CRLF.
func folderCRLF(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	crlf, lf := 0, 0
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		if mostlyCRLF(data) {
			crlf++
		} else {
			lf++
		}
	}
	return crlf > lf
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
