package experiments

import (
	"math"
	"time"

	"github.com/port0/port0/experiments/stats"
	"github.com/port0/port0/figures"
)

// The draw functions hand an experiment's data to its figure.

func drawDaily(e *Env, days []time.Time, packets, sources []float64) error {
	base, err := e.Figure("daily")
	if err != nil {
		return err
	}
	return figures.DailyPort0(base, days, packets, sources)
}

func drawBreakdown(e *Env, name, title, ylabel string, categories []string, values []float64) error {
	base, err := e.Figure(name)
	if err != nil {
		return err
	}
	return figures.Breakdown(base, title, ylabel, categories, []figures.Series{{Name: ylabel, Values: values}})
}

func drawSourceCDF(e *Env, perSource []float64) error {
	base, err := e.Figure("per_source_cdf")
	if err != nil {
		return err
	}
	mu, sigma, _ := stats.FitLogNormal(perSource)
	cdf := func(x float64) float64 {
		if x <= 0 {
			return 0
		}
		return 0.5 * math.Erfc(-(math.Log(x)-mu)/(sigma*math.Sqrt2))
	}
	return figures.SourceCDF(base, perSource, "log-normal fit", cdf)
}

func drawEvents(e *Env, durations, rates []float64) error {
	base, err := e.Figure("events")
	if err != nil {
		return err
	}
	return figures.BackscatterEvents(base, durations, rates)
}

func drawProbeMatrix(e *Env, sources, probes []string, counts [][]float64) error {
	base, err := e.Figure("probe_matrix")
	if err != nil {
		return err
	}
	return figures.ProbeMatrix(base, sources, probes, counts)
}

func drawDiurnal(e *Env, all, port0 [24]float64) error {
	base, err := e.Figure("diurnal")
	if err != nil {
		return err
	}
	return figures.Diurnal(base, port0, all)
}
