package tables

import (
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unique"
	"unsafe"

	"github.com/parquet-go/parquet-go"

	"github.com/port0/port0/internal/csvtab"
)

// A table's columns are declared once (rows.go: packetColumns,
// sourceColumns, ...), each with its name, its type, what it holds, and
// how it is written and read. That one declaration drives the CSV header
// and the CSV reader's check of it, the CSV and Parquet readers
// (readCSV, readParquet), the Parquet schema, the column tables of
// docs/OUTPUTS.md (TestColumnsDoc), and the writers: columns_gen.go,
// straight-line code generated from the declarations (TestColumnsCode),
// so that the packets table's writers, the hot path of a study, cost no
// call per column. Adding a column is a field of the row and a line of
// its table's declaration; go generate ./tables regenerates the writers,
// then make update-golden the docs and the goldens. Until the writers are
// regenerated, every writer of a table whose declaration changed fails
// (staleWriters) rather than write a header that its rows do not follow.
//
// A column of a plain field (a number, a time, an address, an enum, a
// string) is declared with a function that returns the field's address
// in a row: the table keeps the field's offset in the row, which the
// readers fill and the generator names. A column written some other way
// (TCP flags, probe sets, "-" for none) is a text column: a function that
// gives its text, which is both the CSV's field and the Parquet string,
// and a parser of it.

//go:generate go test -run TestColumnsCode -update

// kind is how a column's field is held, written and typed.
type kind uint8

const (
	kInt64   kind = iota // int64: decimal; INT64
	kInt                 // int: decimal, read as 32 bits; INT64
	kTime                // int64 ns since the epoch: TimeLayout; INT64 TIMESTAMP(NANOS)
	kSeconds             // the same, written to the second ("2006-01-02T15:04:05Z")
	kUint8               // uint8: decimal; INT32 INT(8, unsigned)
	kUint16              // uint16: decimal; INT32 INT(16, unsigned)
	kUint32              // uint32: decimal; INT32 INT(32, unsigned)
	kFloat               // float64: FmtFloat; DOUBLE, exact
	kString              // string: as is (quoted when it needs it); STRING
	kAddr                // netip.Addr: its String; STRING
	kOuter               // netip.Addr: empty for the zero Addr; STRING, NULL for it
	kEnum                // a uint8 with names (an enum, a protocol): STRING
	kText                // anything else: text and parse; STRING
)

// column is one column of a table of rows R.
type column[R any] struct {
	name string
	doc  string // what it holds: docs/OUTPUTS.md
	kind kind
	off  uintptr // the field's offset in R (every kind but kText)
	// dict: a Parquet string dictionary-encoded; delta: an INT64
	// DELTA_BINARY_PACKED.
	dict, delta bool
	names       *[256]string                  // kEnum: the name of each value
	stringer    bool                          // kEnum: the names are the field's String
	parseEnum   func(s string) (uint8, error) // kEnum
	text        func(r *R) string             // kText: the field
	textPtr     func(r *R) *string            // kText, nullable: the field, nil for NULL (empty in the CSV)
	parse       func(r *R, s string) error    // kText: parse what text writes
	// formerly is the name the column had in an earlier version of its
	// table ("" for none): a file that has it there is read as well.
	formerly string
}

// offsetOf is the offset in R of the field that field returns the address
// of, in a row; it panics unless that is inside the row.
func offsetOf[R, F any](field func(*R) *F) uintptr {
	r := new(R)
	base, p := uintptr(unsafe.Pointer(r)), uintptr(unsafe.Pointer(field(r)))
	if p < base || p+unsafe.Sizeof(*new(F)) > base+unsafe.Sizeof(*r) {
		panic(fmt.Sprintf("tables: a column's field is not a field of %T", *r))
	}
	return p - base
}

func newColumn[R, F any](name, doc string, k kind, field func(*R) *F) column[R] {
	return column[R]{name: name, doc: doc, kind: k, off: offsetOf(field)}
}

// integer is a column of an int64 field; count one of an int.
func integer[R any](name, doc string, field func(*R) *int64) column[R] {
	return newColumn(name, doc, kInt64, field)
}

func count[R any](name, doc string, field func(*R) *int) column[R] {
	return newColumn(name, doc, kInt, field)
}

// timestamp is a column of a time (int64 ns since the epoch).
func timestamp[R any](name, doc string, field func(*R) *int64) column[R] {
	return newColumn(name, doc, kTime, field)
}

// unsigned is a column of a uint8, uint16 or uint32 field.
func unsigned[R any, U uint8 | uint16 | uint32](name, doc string, field func(*R) *U) column[R] {
	k := map[uintptr]kind{1: kUint8, 2: kUint16, 4: kUint32}[unsafe.Sizeof(U(0))]
	return newColumn(name, doc, k, field)
}

// float is a column of a float64 field.
func float[R any](name, doc string, field func(*R) *float64) column[R] {
	return newColumn(name, doc, kFloat, field)
}

// str is a column of a string field, dictionary-encoded in Parquet.
func str[R any](name, doc string, field func(*R) *string) column[R] {
	c := newColumn(name, doc, kString, field)
	c.dict = true
	return c
}

// addr is a column of an address; outer one of an address that may be
// the zero netip.Addr, written empty (NULL in Parquet).
func addr[R any](name, doc string, field func(*R) *netip.Addr) column[R] {
	return newColumn(name, doc, kAddr, field)
}

func outer[R any](name, doc string, field func(*R) *netip.Addr) column[R] {
	return newColumn(name, doc, kOuter, field)
}

// enumOf is a column of a uint8 field written as a name: str names a
// value, parse reads a name back.
func enumOf[R any, E ~uint8](name, doc string, field func(*R) *E, str func(E) string, parse func(string) (E, error)) column[R] {
	c := newColumn(name, doc, kEnum, field)
	c.dict = true
	c.names = new([256]string)
	for v := range c.names {
		c.names[v] = str(E(v))
	}
	// The names that parse reads back as their value are looked up (no
	// allocation); parse says what is wrong with any other.
	known := map[string]uint8{}
	for v := range c.names {
		if x, err := parse(c.names[v]); err == nil && uint8(x) == uint8(v) {
			known[c.names[v]] = uint8(v)
		}
	}
	c.parseEnum = func(s string) (uint8, error) {
		if v, ok := known[s]; ok {
			return v, nil
		}
		v, err := parse(s)
		return uint8(v), err
	}
	return c
}

// enum is a column of an enum: its String, read back by its
// UnmarshalText.
func enum[R any, E interface {
	~uint8
	String() string
}, P interface {
	*E
	UnmarshalText([]byte) error
}](name, doc string, field func(*R) P) column[R] {
	f := func(r *R) *E { return field(r) }
	c := enumOf(name, doc, f, E.String, func(s string) (E, error) {
		var v E
		err := P(&v).UnmarshalText([]byte(s))
		return v, err
	})
	c.stringer = true
	return c
}

// text is a column written by text and read by parse, dictionary-encoded
// in Parquet.
func text[R any](name, doc string, text func(r *R) string, parse func(r *R, s string) error) column[R] {
	return column[R]{name: name, doc: doc, kind: kText, dict: true, text: text, parse: parse}
}

// withDelta encodes an INT64 column DELTA_BINARY_PACKED in Parquet.
func (c column[R]) withDelta() column[R] { c.delta = true; return c }

// plain does not dictionary-encode a string column.
func (c column[R]) plain() column[R] { c.dict = false; return c }

// toTheSecond writes a time to the second.
func (c column[R]) toTheSecond() column[R] { c.kind = kSeconds; return c }

// was names the column's former name, under which files written before
// it was renamed still read.
func (c column[R]) was(name string) column[R] { c.formerly = name; return c }

// nullableText is a text column that may be NULL in Parquet: text returns
// nil for it (written empty in the CSV, and read back by parse("")).
func nullableText[R any](name, doc string, text func(r *R) *string, parse func(r *R, s string) error) column[R] {
	return column[R]{name: name, doc: doc, kind: kText, dict: true, textPtr: text, parse: parse}
}

// table is a table's declaration: its CSV file, its columns in order,
// and the name of its Parquet schema.
type table[R any] struct {
	file   string
	pqName string // the Parquet schema's name (the files' footers hold it)
	cols   []column[R]
	header []string
	// former is the header the table had before a column was renamed
	// (nil when none was), which the readers accept too.
	former []string
	schema *parquet.Schema
	model  reflect.Type // the struct whose parquet tags make schema
}

// newTable declares a table.
func newTable[R any](file, pqName string, cols ...column[R]) *table[R] {
	t := &table[R]{file: file, pqName: pqName, cols: cols}
	fields := make([]reflect.StructField, len(cols))
	for i := range cols {
		c := &t.cols[i]
		t.header = append(t.header, c.name)
		typ, tag := c.parquetField()
		fields[i] = reflect.StructField{Name: "F" + strconv.Itoa(i), Type: typ, Tag: reflect.StructTag(`parquet:"` + tag + `"`)}
	}
	for i, c := range t.cols {
		if c.formerly != "" {
			if t.former == nil {
				t.former = slices.Clone(t.header)
			}
			t.former[i] = c.formerly
		}
	}
	declaredHeaders[file] = strings.Join(t.header, ",")
	t.model = reflect.StructOf(fields)
	t.schema = parquet.NewSchema(pqName, parquet.SchemaOf(reflect.New(t.model).Interface()))
	return t
}

// declaredHeaders are the declared tables' headers, by CSV file name;
// generatedHeaders (columns_gen.go) the ones the writers were generated
// from.
var declaredHeaders = map[string]string{}

// staleWriters is an error when the writers of the table name (its CSV
// file) were generated from another declaration of it.
func staleWriters(name string) error {
	if declaredHeaders[name] != generatedHeaders[name] {
		return fmt.Errorf("tables: the columns of %s changed since columns_gen.go was generated: run go generate ./tables", name)
	}
	return nil
}

// parquetField is the column's field in a Parquet model struct: its Go
// type and its tag.
func (c *column[R]) parquetField() (reflect.Type, string) {
	tag := c.name
	var t reflect.Type
	switch c.kind {
	case kInt64, kInt:
		t = reflect.TypeFor[int64]()
	case kTime, kSeconds:
		t, tag = reflect.TypeFor[int64](), tag+",timestamp(nanosecond:local)"
	case kUint8:
		t = reflect.TypeFor[uint8]()
	case kUint16:
		t = reflect.TypeFor[uint16]()
	case kUint32:
		t = reflect.TypeFor[uint32]()
	case kFloat:
		t = reflect.TypeFor[float64]()
	default:
		t = reflect.TypeFor[string]()
		if c.optional() {
			t, tag = reflect.TypeFor[*string](), tag+",optional"
		}
		if c.dict {
			tag += ",dict"
		}
	}
	if c.delta {
		tag += ",delta"
	}
	return t, tag
}

// optional says whether the column is nullable in Parquet.
func (c *column[R]) optional() bool { return c.kind == kOuter || c.textPtr != nil }

// field is the address of the column's field in r.
func (c *column[R]) field(r *R) unsafe.Pointer { return unsafe.Add(unsafe.Pointer(r), c.off) }

// csvState is what a table's CSV writer (columns_gen.go) keeps from row
// to row: the date of the last time, and each string column's last value
// and its field (quoted when it needs it), so that a row allocates
// nothing but when a string that needs quoting changes.
type csvState struct {
	df   dayFormat
	last []quoted
}

// quoted is a string and its CSV field.
type quoted struct {
	s, field string
	ok       bool
}

func newCSVState[R any](t *table[R]) *csvState { return &csvState{last: make([]quoted, len(t.cols))} }

// str appends s, the field of string column i, quoted when it needs it.
func (st *csvState) str(b []byte, i int, s string) []byte {
	q := &st.last[i]
	if !q.ok || s != q.s {
		*q = quoted{s, csvField(s), true}
	}
	return append(b, q.field...)
}

// appendPtr appends *s, nothing for nil.
func appendPtr(b []byte, s *string) []byte {
	if s == nil {
		return b
	}
	return append(b, *s...)
}

// readCSV parses one CSV row into r, by the columns' names.
func (t *table[R]) readCSV(f *csvtab.Fields, r *R) {
	for i := range t.cols {
		c := &t.cols[i]
		p := c.field(r)
		switch c.kind {
		case kInt64:
			*(*int64)(p) = f.Int(c.name, 64)
		case kInt:
			*(*int)(p) = int(f.Int(c.name, 32))
		case kTime, kSeconds:
			*(*int64)(p) = f.Time(c.name)
		case kUint8:
			*(*uint8)(p) = uint8(f.Uint(c.name, 8))
		case kUint16:
			*(*uint16)(p) = uint16(f.Uint(c.name, 16))
		case kUint32:
			*(*uint32)(p) = uint32(f.Uint(c.name, 32))
		case kFloat:
			*(*float64)(p) = f.Float(c.name)
		case kString:
			// Interned: a string of the CSV record keeps the whole
			// record's line alive, and these repeat (a file name, an
			// IP ID pattern, "no-match" evidence).
			*(*string)(p) = unique.Make(f.Str(c.name)).Value()
		case kAddr:
			*(*netip.Addr)(p) = f.Addr(c.name)
		case kOuter:
			a, err := parseOuter(f.Str(c.name))
			*(*netip.Addr)(p) = a
			f.Fail(c.name, err)
		case kEnum:
			v, err := c.parseEnum(f.Str(c.name))
			*(*uint8)(p) = v
			f.Fail(c.name, err)
		case kText:
			f.Fail(c.name, c.parse(r, f.Str(c.name)))
		}
	}
}

// readParquet parses one Parquet row, of the table's schema, into r.
func (t *table[R]) readParquet(row parquet.Row, r *R, v *values) {
	for i := range t.cols {
		c := &t.cols[i]
		p := c.field(r)
		x := row[i]
		switch c.kind {
		case kInt64, kTime, kSeconds:
			*(*int64)(p) = x.Int64()
		case kInt:
			n := x.Int64()
			if n != int64(int32(n)) {
				v.fail(c.name, fmt.Errorf("%d is out of range", n))
			}
			*(*int)(p) = int(n)
		case kUint8:
			*(*uint8)(p) = uint8(x.Uint32())
		case kUint16:
			*(*uint16)(p) = uint16(x.Uint32())
		case kUint32:
			*(*uint32)(p) = x.Uint32()
		case kFloat:
			*(*float64)(p) = x.Double()
		case kString:
			*(*string)(p) = string(x.ByteArray())
		case kAddr:
			*(*netip.Addr)(p) = v.addr(c.name, string(x.ByteArray()))
		case kOuter:
			*(*netip.Addr)(p) = netip.Addr{}
			if !x.IsNull() {
				*(*netip.Addr)(p) = v.addr(c.name, string(x.ByteArray()))
			}
		case kEnum:
			n, err := c.parseEnum(string(x.ByteArray()))
			*(*uint8)(p) = n
			v.fail(c.name, err)
		case kText:
			v.fail(c.name, c.parse(r, string(x.ByteArray()))) // NULL reads as ""
		}
	}
}

// parquetType describes a column's Parquet type and the type DuckDB reads
// it as, for the docs.
func (c *column[R]) parquetType() string {
	switch c.kind {
	case kInt64, kInt:
		return "INT64 (BIGINT)"
	case kTime, kSeconds:
		return "TIMESTAMP(NANOS) (TIMESTAMP_NS)"
	case kUint8:
		return "UINT8 (UTINYINT)"
	case kUint16:
		return "UINT16 (USMALLINT)"
	case kUint32:
		return "UINT32 (UINTEGER)"
	case kFloat:
		return "DOUBLE (DOUBLE)"
	}
	s := "STRING"
	if c.dict {
		s += ", dictionary"
	}
	if c.optional() {
		s += ", nullable"
	}
	return s + " (VARCHAR)"
}

// docTable is the table's columns as a Markdown table: name, Parquet
// type (and DuckDB's), and what each holds.
func (t *table[R]) docTable() string {
	var b strings.Builder
	b.WriteString("| column | Parquet (DuckDB) | what it holds |\n|---|---|---|\n")
	for i := range t.cols {
		c := &t.cols[i]
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", c.name, c.parquetType(), strings.ReplaceAll(c.doc, "|", `\|`))
	}
	return b.String()
}

// zero is a zero row of the table's Parquet model (tests).
func (t *table[R]) zero() any { return reflect.Zero(t.model).Interface() }
