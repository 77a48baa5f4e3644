package reference

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/port0/port0/decode"
)

// FieldDiff is one field on which two records differ.
type FieldDiff struct {
	Field     string // Go field path, e.g. "SrcPort" or "Inner.Dst"
	Fast, Ref string // the values, formatted with %v
}

// DiffRecords lists the fields on which fast and ref differ, in field
// order. It is for reports, not the hot path: it uses reflection.
func DiffRecords(fast, ref decode.Record) []FieldDiff {
	var out []FieldDiff
	diffValues("", reflect.ValueOf(fast), reflect.ValueOf(ref), &out)
	return out
}

func diffValues(prefix string, a, b reflect.Value, out *[]FieldDiff) {
	t := a.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name := prefix + f.Name
		av, bv := a.Field(i), b.Field(i)
		if f.Type == reflect.TypeFor[decode.Quoted]() {
			diffValues(name+".", av, bv, out)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if av.Interface() != bv.Interface() {
			*out = append(*out, FieldDiff{name, fmt.Sprint(av.Interface()), fmt.Sprint(bv.Interface())})
		}
	}
}

// FormatDiffs formats diffs one per line.
func FormatDiffs(d []FieldDiff) string {
	var sb strings.Builder
	for _, x := range d {
		fmt.Fprintf(&sb, "  %s: fast %s, ref %s\n", x.Field, x.Fast, x.Ref)
	}
	return sb.String()
}
