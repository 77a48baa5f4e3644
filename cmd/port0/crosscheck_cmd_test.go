package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCrosscheckCorpus(t *testing.T) {
	var clean []string
	for _, pat := range []string{"link_*.pcap", "pcap_*.pcap", "pcapng_le.pcapng", "fragments_*.pcap", "icmp_errors.pcap",
		"ipv4_options.pcap", "ipv6_exthdr.pcap", "ethernet_padding.pcap", "tiny_fragments.pcap", "truncated_snaplen.pcap", "malformed*.pcap"} {
		m, err := filepath.Glob(filepath.Join("..", "..", "testdata", "captures", pat))
		if err != nil {
			t.Fatal(err)
		}
		clean = append(clean, m...)
	}
	if len(clean) < 10 {
		t.Fatalf("only %d corpus files found", len(clean))
	}
	var stdout, stderr bytes.Buffer
	err := run(append([]string{"crosscheck"}, clean...), nil, &stdout, &stderr)
	if err != nil {
		t.Fatalf("crosscheck: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), " 0 differing") {
		t.Errorf("summary: %q", stdout.String())
	}
}

func TestCrosscheckFolderAndStdin(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "captures")
	data, err := os.ReadFile(filepath.Join(dir, "link_sll2.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	if err := run([]string{"crosscheck", "-"}, bytes.NewReader(data), &stdout, &stdout); err != nil {
		t.Fatalf("stdin: %v\n%s", err, stdout.String())
	}
	// The whole folder holds corrupt captures: read errors, exit status 1,
	// but still no differences.
	stdout.Reset()
	err = run([]string{"crosscheck", dir}, nil, &stdout, &stdout)
	if err == nil || exitCode(err) != 1 {
		t.Fatalf("folder with corrupt captures: err %v, want exit status 1", err)
	}
	if !strings.Contains(stdout.String(), " 0 differing") || strings.Contains(stdout.String(), " 0 read errors") {
		t.Errorf("summary: %q", stdout.String())
	}
}

func TestCrosscheckUsage(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"crosscheck"}, nil, &out, &out); exitCode(err) != 2 {
		t.Fatalf("no inputs: err %v, want exit status 2", err)
	}
}
