package ingest_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/baobot/baobot/ingest"
	"github.com/baobot/baobot/retrieval"
)

// parse runs ingest.Parse on content and returns every Record it emits.
func parse(t *testing.T, name, content string, opts ingest.Options) []ingest.Record {
	t.Helper()
	var recs []ingest.Record
	err := ingest.Parse(name, strings.NewReader(content), opts, func(r ingest.Record) error {
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		t.Fatalf("Parse(%q) returned %v; want nil (only emit errors are returned)", name, err)
	}
	return recs
}

// parseOne parses a whole-file source, which must emit exactly one Record.
func parseOne(t *testing.T, name, content string) ingest.Record {
	t.Helper()
	recs := parse(t, name, content, ingest.Options{})
	if len(recs) != 1 {
		t.Fatalf("Parse(%q) emitted %d records, want 1: %+v", name, len(recs), recs)
	}
	return recs[0]
}

// writeFiles creates files (slash-separated paths relative to dir).
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// wantErr checks a Record's error: nil when want is nil, else wrapping want
// and mentioning every fragment.
func wantErr(t *testing.T, rec ingest.Record, want error, fragments ...string) {
	t.Helper()
	switch {
	case want == nil && rec.Err != nil:
		t.Fatalf("%s: unexpected error %v", rec.Origin, rec.Err)
	case want == nil:
		return
	case rec.Err == nil:
		t.Fatalf("%s: no error, want %v; article %+v", rec.Origin, want, rec.Article)
	case !errors.Is(rec.Err, want):
		t.Fatalf("%s: error %q does not wrap %q", rec.Origin, rec.Err, want)
	}
	for _, f := range fragments {
		if !strings.Contains(rec.Err.Error(), f) {
			t.Errorf("%s: error %q does not mention %q", rec.Origin, rec.Err, f)
		}
	}
}

// checkArticle asserts the invariants every emitted article keeps: an ID
// and a body, valid UTF-8 and no NUL anywhere, one-line title and source,
// and a body of trimmed, non-empty lines.
func checkArticle(t testing.TB, origin string, a retrieval.Article) {
	t.Helper()
	if a.ID == "" {
		t.Errorf("%s: empty ID", origin)
	}
	if a.Body == "" {
		t.Errorf("%s: empty body", origin)
	}
	fields := map[string]string{"id": a.ID, "title": a.Title, "url": a.URL, "source": a.Source, "lang": a.Language, "summary": a.Summary, "body": a.Body}
	for name, v := range fields {
		if !utf8.ValidString(v) {
			t.Errorf("%s: %s is not valid UTF-8: %q", origin, name, v)
		}
		if strings.ContainsRune(v, 0) {
			t.Errorf("%s: %s holds NUL: %q", origin, name, v)
		}
		if strings.ContainsRune(v, '\r') {
			t.Errorf("%s: %s holds CR: %q", origin, name, v)
		}
	}
	for name, v := range map[string]string{"title": a.Title, "source": a.Source, "id": a.ID} {
		if strings.ContainsRune(v, '\n') {
			t.Errorf("%s: %s spans lines: %q", origin, name, v)
		}
	}
	for _, text := range []string{a.Body, a.Summary} {
		if text == "" {
			continue
		}
		for i, line := range strings.Split(text, "\n") {
			if line == "" || line != strings.TrimSpace(line) {
				t.Errorf("%s: line %d of %q is blank or untrimmed", origin, i+1, text)
			}
		}
	}
}

// noMetadata asserts that nothing a source did not state was set.
func noMetadata(t *testing.T, a retrieval.Article) {
	t.Helper()
	if a.URL != "" || !a.Published.IsZero() || a.Language != "" || a.Summary != "" {
		t.Errorf("invented metadata: url=%q published=%v lang=%q summary=%q", a.URL, a.Published, a.Language, a.Summary)
	}
}

func TestSupported(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"a.txt", true},
		{"A.TXT", true},
		{"notes.md", true},
		{"notes.markdown", true},
		{"page.html", true},
		{"page.HTM", true},
		{"news.jsonl", true},
		{"news.ndjson", true},
		{"news.jsonl.gz", true},
		{"news.json.gz", true},
		{"news.json", false},
		{"photo.jpg", false},
		{"txt", false},
		{".txt", false},
		{"archive.tar.gz", false},
	}
	for _, tt := range tests {
		if got := ingest.Supported(tt.name); got != tt.want {
			t.Errorf("Supported(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestParseUnsupported(t *testing.T) {
	rec := parseOne(t, "photo.jpg", "\xff\xd8\xff")
	wantErr(t, rec, ingest.ErrUnsupported, ".jpg")
	if rec.Origin != "photo.jpg" {
		t.Errorf("Origin = %q", rec.Origin)
	}
}

func TestParseStopsOnEmitError(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	err := ingest.Parse("n.jsonl", strings.NewReader(`{"id":"1","body":"a"}`+"\n"+`{"id":"2","body":"b"}`+"\n"), ingest.Options{}, func(ingest.Record) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("Parse returned %v after %d calls; want the emit error after 1", err, calls)
	}
}

func TestOversizeFile(t *testing.T) {
	opts := ingest.Options{MaxFileBytes: 64}
	for _, name := range []string{"big.txt", "big.md", "big.html"} {
		recs := parse(t, name, "Title\n"+strings.Repeat("Một câu văn. ", 20), opts)
		if len(recs) != 1 {
			t.Fatalf("%s: %d records", name, len(recs))
		}
		wantErr(t, recs[0], ingest.ErrTooLarge, "64-byte")
	}
	// Exactly at the limit is fine.
	content := "Title\n" + strings.Repeat("x", 58)
	if len(content) != 64 {
		t.Fatal("bad fixture")
	}
	wantErr(t, parse(t, "ok.txt", content, opts)[0], nil)
	// JSON Lines are not bound by MaxFileBytes.
	line := `{"id":"a","body":"` + strings.Repeat("x", 100) + `"}` + "\n"
	wantErr(t, parse(t, "n.jsonl", line+line, opts)[1], nil)
}
