package experiments

import (
	"fmt"
	"path/filepath"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/capture"
	"github.com/port0/port0/gen"
	"github.com/port0/port0/study"
	"github.com/port0/port0/tables"
)

// Rerun is one run of the study from a scenario: generate a telescope
// (unless Gen holds one), analyze it (unless Analysis holds its analysis),
// and run the experiments into Out. port0 experiments is one Rerun; a
// sweep is one per scale and seed.
type Rerun struct {
	Scenario *gen.Scenario // needed when Gen is empty
	Seed     uint64
	Scale    float64
	// Gen and Analysis are folders of an earlier port0 gen and port0
	// analyze to use; when empty, Rerun writes them under Out/data/.
	Gen, Analysis string
	Out           string
	Only          []string
	Format        tables.Format
	// Say, when not nil, gets a line of progress per step.
	Say func(format string, a ...any)
}

// Run generates and analyzes what it must and runs the experiments. It
// returns the data the experiments read and their results, and leaves
// Gen and Analysis naming the folders used.
func (x *Rerun) Run() (*Data, []*Result, error) {
	say := x.Say
	if say == nil {
		say = func(string, ...any) {}
	}
	if x.Gen == "" {
		x.Gen = filepath.Join(x.Out, "data", "gen")
		plan, err := gen.NewPlan(x.Scenario, x.Seed, x.Scale)
		if err != nil {
			return nil, nil, err
		}
		say("generating %s (seed %d, scale %g) into %s", x.Scenario.Name, x.Seed, x.Scale, x.Gen)
		if _, err := gen.Generate(plan, gen.Options{Out: x.Gen}); err != nil {
			return nil, nil, fmt.Errorf("gen: %w", err)
		}
	}
	if x.Analysis == "" {
		x.Analysis = filepath.Join(x.Out, "data", "analysis")
		inputs, err := capture.ExpandInputs([]string{x.Gen})
		if err != nil {
			return nil, nil, err
		}
		say("analyzing %d captures into %s", len(inputs), x.Analysis)
		if _, err := analyze.Run(inputs, nil, x.Analysis, analyze.Options{Study: study.DefaultOptions(), Format: x.Format}); err != nil {
			return nil, nil, fmt.Errorf("analyze: %w", err)
		}
	}
	d, err := Load(x.Gen, x.Analysis)
	if err != nil {
		return nil, nil, err
	}
	rs, err := Run(d, x.Out, x.Only, x.Seed, x.Scale, d.Scenario.Name, x.Format)
	return d, rs, err
}
