package archtest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// mdLink is an inline Markdown link or image: its target, up to a space
// (a title) or the closing parenthesis.
var mdLink = regexp.MustCompile(`\]\(([^()\s]+)(?:\s[^()]*)?\)`)

// TestDocLinks: every relative link of the repository's Markdown files
// leads to a file or folder of the repository, and every #anchor to a
// heading of the file it names (GitHub's anchors: the heading lower-cased,
// spaces to hyphens, punctuation dropped). A renamed doc or heading fails
// here, naming the file, the line and the link.
func TestDocLinks(t *testing.T) {
	top := root()
	headings := map[string]map[string]bool{} // file -> anchors
	anchorsOf := func(file string) map[string]bool {
		if a, ok := headings[file]; ok {
			return a
		}
		a := map[string]bool{}
		b, err := os.ReadFile(filepath.Join(top, file))
		if err == nil {
			fence := false
			for _, line := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(line, "```") {
					fence = !fence
				}
				if !fence && strings.HasPrefix(line, "#") {
					a[anchor(strings.TrimLeft(line, "#"), a)] = true
				}
			}
		}
		headings[file] = a
		return a
	}
	links := 0
	for _, f := range repoFiles(t, top) {
		if !strings.HasSuffix(f, ".md") || strings.HasPrefix(f, filepath.Join("beam", ".sdk")) || strings.Contains(f, "testdata") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(top, f))
		if err != nil {
			t.Fatal(err)
		}
		fence := false
		for n, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "```") {
				fence = !fence
			}
			if fence {
				continue
			}
			for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				links++
				path, frag, _ := strings.Cut(target, "#")
				file := f
				if path != "" {
					file = filepath.Join(filepath.Dir(f), filepath.FromSlash(path))
					if _, err := os.Stat(filepath.Join(top, file)); err != nil {
						t.Errorf("%s:%d: link %s: no such file", f, n+1, target)
						continue
					}
				}
				if frag != "" && strings.HasSuffix(file, ".md") && !anchorsOf(file)[frag] {
					t.Errorf("%s:%d: link %s: no heading with that anchor in %s", f, n+1, target, file)
				}
			}
		}
	}
	t.Logf("%d relative links checked", links)
	if links < 20 {
		t.Fatalf("only %d relative links found: the pattern misses them", links)
	}
}

// anchor is GitHub's anchor of a heading: lower case, spaces to hyphens,
// every character but letters, digits, hyphens and underscores dropped,
// and -1, -2, ... after a repeat of one already in seen.
func anchor(heading string, seen map[string]bool) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	a := b.String()
	if !seen[a] {
		return a
	}
	for i := 1; ; i++ {
		if s := a + "-" + itoa(i); !seen[s] {
			return s
		}
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
