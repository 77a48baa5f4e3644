package nfcapd

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// flowsFixtures is the folder of the real exporters' outputs
// (scripts/flows.sh): nfcapd files of nfpcapd and of nfcapd collecting
// softflowd's NetFlow v9, each with nfdump 1.7.1's reading of it beside it
// in NAME.csv.gz (the fields of nfdumpFields).
const flowsFixtures = "../../testdata/flows"

// readCSVGz reads a gzip-compressed csv of nfdump's: a header line and
// one line per flow.
func readCSVGz(t *testing.T, path string) (header []string, rows [][]string) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	sc := bufio.NewScanner(zr)
	line := 0
	for sc.Scan() {
		line++
		fields := strings.Split(sc.Text(), ",")
		if header == nil {
			header = fields
			continue
		}
		if len(fields) != len(header) {
			t.Fatalf("%s line %d: %d fields, header has %d: %q", path, line, len(fields), len(header), sc.Text())
		}
		rows = append(rows, fields)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return header, rows
}

// TestFlowsFixturesMatchNfdump reads the nfcapd files of testdata/flows
// and compares each flow, in file order and field by field, with what
// nfdump 1.7.1 printed for it. The softflowd-v9-collected files hold fewer
// flows than softflowd exported (nfcapd lost datagrams to its socket's
// buffer): they are compared with their own csv only.
func TestFlowsFixturesMatchNfdump(t *testing.T) {
	tests := []struct {
		file  string // under testdata/flows
		flows int
		// exporters: "sysid version addr id;…" of the file's exporter
		// records (nfpcapd writes none).
		exporters string
	}{
		{"paper7/nfpcapd", 5455, ""},
		{"paper7/softflowd-v9-collected", 4699, "1 9 127.0.0.1 0;"},
		{"wild17/nfpcapd", 3635, ""},
		{"wild17/softflowd-v9-collected", 1527, "1 9 127.0.0.1 0;"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(flowsFixtures, tt.file+".nfcapd")
			r, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if got := r.Header().Compression; got != LZ4 {
				t.Errorf("%s: compression %v, want LZ4 (nfcapd -y)", path, got)
			}
			flows, err := readAll(r)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			csv := filepath.Join(flowsFixtures, tt.file+".csv.gz")
			header, rows := readCSVGz(t, csv)
			if len(flows) != len(rows) || len(flows) != tt.flows {
				t.Fatalf("%s: %d flows, nfdump printed %d (%s), want %d", path, len(flows), len(rows), csv, tt.flows)
			}
			bad := 0
			for i := range flows {
				got := nfdumpFields(&flows[i])
				for j, h := range header {
					want := rows[i][j]
					g, ok := got[h]
					if !ok {
						t.Fatalf("%s: column %q is not one of nfdumpFields", csv, h)
					}
					if g != want {
						bad++
						if bad <= 20 {
							t.Errorf("%s row %d (line %d): %s = %q, nfdump printed %q", csv, i+1, i+2, h, g, want)
						}
					}
				}
			}
			if bad > 20 {
				t.Errorf("%s: %d fields differ in all", csv, bad)
			}
			c := r.Counts()
			if c.Flows != int64(tt.flows) || c.LostBlocks != 0 || c.LostRecords != 0 || c.LostBytes != 0 {
				t.Errorf("%s: counts %+v", path, c)
			}
			if st, ok := r.Stat(); !ok || st.Flows != uint64(tt.flows) {
				t.Errorf("%s: stat record %+v (read %v), want %d flows", path, st, ok, tt.flows)
			}
			var ex string
			for _, e := range r.Exporters() {
				ex += fmt.Sprintf("%d %d %s %d;", e.SysID, e.Version, e.Addr, e.ID)
			}
			if ex != tt.exporters {
				t.Errorf("%s: exporters %q, want %q", path, ex, tt.exporters)
			}
			if v := r.Header().NfdumpVersion(); v != "1.7.1" {
				t.Errorf("%s: written by nfdump %s, want 1.7.1", path, v)
			}
		})
	}
}
