// Package label holds the vocabulary shared by the generator, the analyzer and
// the experiments: the purpose classes of port-0-related packets and the
// scanner/crafting tools behind them.
//
// Each enum has one name table, used by String, MarshalText and UnmarshalText,
// so CSV, JSON and command-line flags all spell a value the same way. The zero
// value of every enum means unknown.
package label
