package checker

// The SARIF 2.1.0 log check --format=sarif prints: one run of the
// smartmigrate tool with the ctxcheck rule, a result per finding.

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
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
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
		Tool:    sarifTool{Driver: sarifDriver{Name: "smartmigrate", InformationURI: "https://github.com/smartmigrate/smartmigrate", Rules: []sarifRule{rule}}},
		Results: []sarifResult{},
	}
	for _, f := range r.Findings {
		run.Results = append(run.Results, sarifResult{
			RuleID: Category, Level: "warning", Message: sarifMessage{Text: f.Message},
			Locations: []sarifLocation{{Physical: sarifPhysical{
				Artifact: sarifArtifact{URI: f.inRoot},
				Region:   sarifRegion{StartLine: f.Line, StartColumn: f.Col},
			}}},
		})
	}
	return sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}}
}
