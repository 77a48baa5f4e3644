// Package figures draws the figures of the port-0 study with gonum/plot.
//
// Each figure is one function that takes plain Go data (slices, arrays,
// strings, [time.Time]) and writes two files, base+".png" and base+".svg".
// The package reads no files and depends on no other package of the
// project, so experiments compute the data and call these functions.
//
// Every figure has the same size, [Width] × [Height], which reads well at
// README width; the PNG is rendered at [DPI]. Output is deterministic: no
// map order and no clock reaches a drawing, so the PNG and SVG of the same
// input are byte-identical between runs (PDF and EPS are not offered
// because gonum/plot embeds a creation date in them).
//
// Input handling is the same everywhere:
//   - empty input draws empty axes with a "no data" note instead of failing;
//   - values that a log axis cannot show (zero, negative, NaN, ±Inf) are
//     left out, and the figure says how many were left out; on a bar chart
//     with a log axis a zero keeps its category and is written "0" at the
//     foot of its bar instead;
//   - a share is drawn with its n: the functions that draw shares take
//     the counts, and the legend gives each series' total;
//   - lengths that do not match (for example a [Series] shorter than its
//     categories) are a caller bug and return an error, and no file is
//     written.
//
// The functions do not keep or modify the slices they are given.
package figures
