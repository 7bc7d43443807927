package checker

// The SARIF 2.1.0 log check --format=sarif prints: one run of the
// smartmigrate tool with the ctxcheck rule, a result per finding.

import (
	"bytes"
	"os"
	"unicode/utf16"
	"unicode/utf8"
)

const (
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	sarifVersion = "2.1.0"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool sarifTool `json:"tool"`
	// ColumnKind says what a column counts: SARIF's default, UTF-16 code
	// units, said explicitly (the go command's columns count bytes).
	ColumnKind string        `json:"columnKind"`
	Results    []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	Name             string       `json:"name"`
	ShortDescription sarifMessage `json:"shortDescription"`
	FullDescription  sarifMessage `json:"fullDescription"`
	HelpURI          string       `json:"helpUri"`
	DefaultConfig    sarifConfig  `json:"defaultConfiguration"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	Physical sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	Artifact sarifArtifact `json:"artifactLocation"`
	Region   sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
}

// sarifOf is r as a SARIF log. Artifact URIs are the findings' file names,
// relative and slash-separated.
func sarifOf(r Result) sarifLog {
	rule := sarifRule{
		ID:               Category,
		Name:             "BlockingWithoutContext",
		ShortDescription: sarifMessage{Text: "A function blocks without taking a context.Context"},
		FullDescription:  sarifMessage{Text: "The function calls a sink (a call with a context-aware form) or a function of the module that does, and takes no context.Context: it cannot be cancelled or given a deadline."},
		HelpURI:          Analyzer.URL,
		DefaultConfig:    sarifConfig{Level: "warning"},
	}
	run := sarifRun{
		Tool:       sarifTool{Driver: sarifDriver{Name: "smartmigrate", InformationURI: "https://github.com/smartmigrate/smartmigrate", Rules: []sarifRule{rule}}},
		ColumnKind: "utf16CodeUnits",
		Results:    []sarifResult{},
	}
	files := map[string][]byte{}
	for _, f := range r.Findings {
		run.Results = append(run.Results, sarifResult{
			RuleID: Category, Level: "warning", Message: sarifMessage{Text: f.Message},
			Locations: []sarifLocation{{Physical: sarifPhysical{
				Artifact: sarifArtifact{URI: f.inRoot},
				Region:   sarifRegion{StartLine: f.Line, StartColumn: utf16Col(files, f.abs, f.Line, f.Col)},
			}}},
		})
	}
	return sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}}
}

// utf16Col is the column in UTF-16 code units, from 1, of the byte column
// col of line in file (read once into files); col itself when the file
// cannot be read or is shorter.
func utf16Col(files map[string][]byte, file string, line, col int) int {
	data, ok := files[file]
	if !ok {
		data, _ = os.ReadFile(file)
		files[file] = data
	}
	for range line - 1 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return col
		}
		data = data[i+1:]
	}
	if col-1 > len(data) {
		return col
	}
	units := 0
	for prefix := data[:col-1]; len(prefix) > 0; {
		r, size := utf8.DecodeRune(prefix)
		units += utf16.RuneLen(r)
		prefix = prefix[size:]
	}
	return units + 1
}
