package analysis

import "github.com/smartmigrate/smartmigrate/cmd/smartmigrate/schema"

// The model as smartmigrate's JSON contract (package schema) writes it:
// positions, sinks and reasons are converted here, once, for the JSON
// output and for plan.json alike.

// Schema is p in the JSON contract.
func (p Position) Schema() schema.Position {
	return schema.Position{File: p.File, Line: p.Line, Col: p.Col}
}

// SchemaPtr is p in the JSON contract, nil when p is not valid.
func (p Position) SchemaPtr() *schema.Position {
	if !p.IsValid() {
		return nil
	}
	s := p.Schema()
	return &s
}

// Sink is v in the JSON contract.
func (v Via) Sink() schema.Sink {
	return schema.Sink{Call: v.Call, Pos: v.At.Schema(), Why: v.Why}
}

// Item is r in the JSON contract, its code one of schema's risk codes.
func (r Risk) Item() schema.Item {
	return schema.Item{Code: string(r.Code), Message: r.String(), Pos: r.At.SchemaPtr()}
}

// Item is s in the JSON contract, its code one of schema's skip codes.
func (s Skip) Item() schema.Item {
	return schema.Item{Code: string(s.Code), Message: s.String()}
}

// Item is u in the JSON contract, with code schema.Unresolved.
func (u Unresolved) Item() schema.Item {
	return schema.Item{Code: schema.Unresolved, Message: u.Why, Pos: u.At.SchemaPtr()}
}

// Risks are rs in the JSON contract, [] when none.
func Risks(rs []Risk) []schema.Item {
	out := make([]schema.Item, len(rs))
	for i, r := range rs {
		out[i] = r.Item()
	}
	return out
}
