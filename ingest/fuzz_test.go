package ingest_test

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"

	"github.com/baobot/baobot/ingest"
)

// fuzzParse parses data under name and checks what holds for any input: no
// panic, no returned error, one Record per whole-file source, an Origin on
// every Record, and sound articles (see checkArticle).
func fuzzParse(t *testing.T, name string, data []byte, opts ingest.Options) []ingest.Record {
	var recs []ingest.Record
	err := ingest.Parse(name, bytes.NewReader(data), opts, func(r ingest.Record) error {
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		t.Fatalf("Parse returned %v", err)
	}
	if len(recs) == 0 {
		t.Fatal("no Record emitted")
	}
	for _, r := range recs {
		if !strings.HasPrefix(r.Origin, name) {
			t.Errorf("Origin %q does not name %q", r.Origin, name)
		}
		if r.Err == nil {
			checkArticle(t, r.Origin, r.Article)
		} else if r.Err.Error() == "" {
			t.Errorf("%s: empty error message", r.Origin)
		}
	}
	return recs
}

func FuzzParseText(f *testing.F) {
	for _, seed := range []string{
		"",
		"Tiêu đề\nNội dung.",
		"Câu một. Câu hai.\r\n\r\nĐoạn hai.",
		"\ufeffTitle\rBody",
		strings.Repeat("chữ ", 80) + "\nx",
		"Dân số TP.HCM tăng 3.5%.” Hết",
		"a\x00b",
		"\xff\xfe",
		"…\n.",
		" \n\t\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs := fuzzParse(t, "fuzz.txt", data, ingest.Options{MaxFileBytes: 1 << 16})
		if len(recs) != 1 {
			t.Fatalf("%d records", len(recs))
		}
	})
}

func FuzzParseMarkdown(f *testing.F) {
	for _, seed := range []string{
		"",
		"# Tiêu đề\n\nNội dung *nghiêng* và [liên kết](https://x.vn).",
		"---\ntitle: \"T\"\nurl: https://x.vn/a\npublished: 2024-01-02\nlang: vi\nsummary: >\n  a\n  b\ntags:\n  - x\n---\nBody.",
		"---\ntitle: 'unterminated\n---\nx",
		"---\n---\n",
		"---\nno close",
		"Tiêu đề\n===\n\n- a\n- b\n\n1. x\n2. y\n\n```\ncode\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |",
		"<div><script>x</script>t</div>\n\n![img](a.png) &amp; \\* `c`",
		"> q\n>\n> - [ ] z\n\n***\n\n<!-- c -->",
		"[![a](b)](c)\n\n    indented code\n",
		"---\ntitle: \"\\u0000\"\n---\nx",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs := fuzzParse(t, "fuzz.md", data, ingest.Options{MaxFileBytes: 1 << 16})
		if len(recs) != 1 {
			t.Fatalf("%d records", len(recs))
		}
	})
}

func FuzzParseHTML(f *testing.F) {
	for _, seed := range []string{
		"",
		newsPage(`<link rel="canonical" href="https://x.vn/a"><meta property="article:published_time" content="2024-01-02">`, ""),
		"<p>Một đoạn.</p>",
		"<html><head><meta charset=iso-8859-1></head><body><p>Caf\xe9</p></body></html>",
		"\xff\xfe<\x00p\x00>\x00a\x00",
		"<script>alert(1)</script><style>p{}</style>",
		"<table><tr><td>a</td><td>b</td></tr></table><pre>  x\n  y</pre>",
		"<div><div><div><p>deep</p></div></div></div><math><mi>x</mi></math>",
		"<meta property=og:url content=javascript:x><p>t</p>",
		"<p>a\x00b</p>",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs := fuzzParse(t, "fuzz.html", data, ingest.Options{MaxFileBytes: 1 << 16})
		if len(recs) != 1 {
			t.Fatalf("%d records", len(recs))
		}
		if a := recs[0].Article; recs[0].Err == nil && a.URL != "" && !strings.HasPrefix(a.URL, "http") {
			t.Errorf("URL %q is not http(s)", a.URL)
		}
	})
}

func FuzzParseJSONL(f *testing.F) {
	gz := func(s string) []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(s))
		zw.Close()
		return b.Bytes()
	}
	good := `{"id":"a","title":"T","body":"B\nC","url":"https://x.vn","published":"2024-01-02","lang":"vi"}` + "\n"
	for _, seed := range [][]byte{
		nil,
		[]byte(good),
		[]byte(good + "\n{broken\n" + `{"id":1,"body":"x"}` + "\r\n"),
		[]byte(`{"id":"a","body":"x\u0000"}`),
		[]byte("{\"id\":\"a\",\"body\":\"\xff\"}"),
		[]byte(`{"id":"a","body":"` + strings.Repeat("x", 300) + `"}`),
		[]byte(`[1]` + "\n" + `null` + "\n" + `"s"`),
		gz(good + good),
		gz(good)[:20],
		{0x1f, 0x8b},
	} {
		f.Add(seed, uint16(200))
	}
	f.Fuzz(func(t *testing.T, data []byte, maxLine uint16) {
		opts := ingest.Options{MaxLineBytes: int(maxLine%1024) + 1}
		recs := fuzzParse(t, "fuzz.jsonl", data, opts)
		for _, r := range recs[:len(recs)-1] {
			// Only the last Record may be about the whole stream.
			if r.Origin == "fuzz.jsonl" {
				t.Errorf("a file-level Record before the end: %v", r.Err)
			}
		}
	})
}
