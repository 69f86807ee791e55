package ingest_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/baobot/baobot/ingest"
)

// Control characters (C0 but tab and line breaks, DEL, C1) never reach an
// article, whatever the format: a terminal escape sequence in a title or a
// body would otherwise drive the terminal of whoever lists or shows it. NUL
// is refused (ErrNotText), as is a control character in an ID.
func TestControlCharactersDropped(t *testing.T) {
	const hostile = "\a\x01\x1b[31m\x7f\u0085\u009b2J"
	tests := []struct{ name, content string }{
		{"a.txt", "Tiêu đề" + hostile + "\nThân bài có ký tự điều khiển" + hostile + " ở giữa.\n"},
		{"a.md", "---\ntitle: \"Tiêu đề" + hostile + "\"\nsource: \"Nguồn" + hostile + "\"\nsummary: \"Tóm tắt" + hostile + "\"\n---\n\n# Đề" + hostile + "\n\nThân bài" + hostile + " ở giữa.\n"},
		{"a.html", "<html><head><title>Tiêu đề" + hostile + "</title></head><body><article><p>Thân bài có ký tự điều khiển" + hostile + " ở giữa, đủ dài để được coi là nội dung chính của trang.</p></article></body></html>"},
		{"a.jsonl", `{"id":"a","title":"Tiêu đề\u0007\u001b[31m\u0085","source":"Nguồn\u001b","summary":"Tóm tắt\u009b","body":"Thân bài\u0001\u007f ở giữa."}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := parseOne(t, tt.name, tt.content)
			if rec.Err != nil {
				t.Fatal(rec.Err)
			}
			a := rec.Article
			for field, s := range map[string]string{"title": a.Title, "source": a.Source, "summary": a.Summary, "body": a.Body} {
				if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }); i >= 0 {
					t.Errorf("%s %q: a control character at %d", field, s, i)
				}
			}
			if !strings.Contains(a.Body, "ở giữa") {
				t.Errorf("body %q lost its text", a.Body)
			}
		})
	}
	wantErr(t, parseOne(t, "n.jsonl", `{"id":"a\u001b[2J","body":"x"}`), ingest.ErrMalformed, "control character")
	wantErr(t, parseOne(t, "n.jsonl", `{"id":"a","body":"x\u0000y"}`), ingest.ErrNotText, "NUL")
}
