package ingest_test

import (
	"bytes"
	"compress/gzip"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/baobot/baobot/ingest"
	"github.com/baobot/baobot/retrieval"
)

func TestJSONLines(t *testing.T) {
	lines := []string{
		/* 1 */ `{"id": "a1", "title": "Tiêu đề\n một", "summary": " Sapo. ", "body": "Đoạn một.\n\n  Đoạn hai.  \r\nĐoạn ba.", "url": "https://example.vn/a1", "source": "baomoi.com", "published": "2017-02-06T08:00:00+07:00", "lang": "VI", "extra": [1, {"x": 2}]}`,
		/* 2 */ ``,
		/* 3 */ `{"id": 42, "body": "Chỉ có id số."}`,
		/* 4 */ `{"id": "a4", "body": "x"`,
		/* 5 */ `{"title": "không id", "body": "x"}`,
		/* 6 */ `{"id": "a6", "title": "không body"}`,
		/* 7 */ `{"id": "a7", "body": "   \n  "}`,
		/* 8 */ `{"id": "a8", "body": 5}`,
		/* 9 */ `["a9"]`,
		/* 10 */ `{"id": "a10", "body": "x", "published": "06/02/2017"}`,
		/* 11 */ `{"id": "a11", "body": "x", "url": "ftp://example.vn/x"}`,
		/* 12 */ `{"id": "a12", "body": "x\u0000y"}`,
		/* 13 */ "{\"id\": \"a13\", \"body\": \"caf\xe9\"}",
		/* 14 */ `{"id": "a14", "body": "x"} trailing`,
		/* 15 */ `{"id": 1.5, "body": "x"}`,
		/* 16 */ `{"id": "  ", "body": "x"}`,
		/* 17 */ `{"id": "a17", "body": "x", "lang": "tiếng Việt"}`,
		/* 18 */ "{\"id\": \"a18\", \"body\": \"dòng cuối\"}\r",
		/* 19 */ `   `,
		/* 20 */ `{"id": "a20", "body": "không xuống dòng ở cuối"}`,
	}
	type want struct {
		err    error
		errHas []string
		check  func(t *testing.T, a retrieval.Article)
	}
	wants := map[int]want{
		1: {check: func(t *testing.T, a retrieval.Article) {
			w := retrieval.Article{ID: "a1", Title: "Tiêu đề một", Summary: "Sapo.", Body: "Đoạn một.\nĐoạn hai.\nĐoạn ba.", URL: "https://example.vn/a1", Source: "baomoi.com", Language: "vi"}
			if !a.Published.Equal(time.Date(2017, 2, 6, 1, 0, 0, 0, time.UTC)) {
				t.Errorf("published = %v", a.Published)
			}
			a.Published = time.Time{}
			if a != w {
				t.Errorf("got  %+v\nwant %+v", a, w)
			}
		}},
		3: {check: func(t *testing.T, a retrieval.Article) {
			if a.ID != "42" || a.Title != "" || a.Source != "" {
				t.Errorf("got %+v; want id 42 and nothing invented", a)
			}
			noMetadata(t, a)
		}},
		4:  {err: ingest.ErrMalformed, errHas: []string{"invalid JSON"}},
		5:  {err: ingest.ErrMalformed, errHas: []string{`missing "id"`}},
		6:  {err: ingest.ErrMalformed, errHas: []string{`missing "body"`}},
		7:  {err: ingest.ErrMalformed, errHas: []string{`missing "body"`}},
		8:  {err: ingest.ErrMalformed, errHas: []string{`"body" must be a string`}},
		9:  {err: ingest.ErrMalformed, errHas: []string{"want a JSON object"}},
		10: {err: ingest.ErrMalformed, errHas: []string{"06/02/2017"}},
		11: {err: ingest.ErrMalformed, errHas: []string{"ftp://"}},
		12: {err: ingest.ErrNotText, errHas: []string{"NUL"}},
		13: {err: ingest.ErrNotText, errHas: []string{"invalid UTF-8"}},
		14: {err: ingest.ErrMalformed},
		15: {err: ingest.ErrMalformed, errHas: []string{"string or an integer"}},
		16: {err: ingest.ErrMalformed, errHas: []string{`"id"`}},
		17: {err: ingest.ErrMalformed, errHas: []string{"lang"}},
		18: {check: func(t *testing.T, a retrieval.Article) {
			if a.ID != "a18" || a.Body != "dòng cuối" {
				t.Errorf("got %+v", a)
			}
		}},
		20: {check: func(t *testing.T, a retrieval.Article) {
			if a.ID != "a20" {
				t.Errorf("got %+v", a)
			}
		}},
	}
	content := strings.Join(lines, "\n")
	for _, name := range []string{"news.jsonl", "news.ndjson"} {
		recs := parse(t, name, content, ingest.Options{})
		if len(recs) != len(wants) {
			t.Fatalf("%d records, want %d (blank lines 2 and 19 skipped): %+v", len(recs), len(wants), recs)
		}
		for _, rec := range recs {
			num, _ := strings.CutPrefix(rec.Origin, name+":")
			line, err := strconv.Atoi(num)
			if err != nil {
				t.Fatalf("Origin %q does not name a line", rec.Origin)
			}
			w, ok := wants[line]
			if !ok {
				t.Fatalf("unexpected record for line %d: %+v", line, rec)
			}
			t.Run(rec.Origin, func(t *testing.T) {
				wantErr(t, rec, w.err, w.errHas...)
				if w.err == nil {
					checkArticle(t, rec.Origin, rec.Article)
					w.check(t, rec.Article)
				}
			})
		}
	}
}

func TestJSONLinesLongLine(t *testing.T) {
	long := `{"id": "long", "body": "` + strings.Repeat("x", 300) + `"}`
	content := `{"id": "1", "body": "a"}` + "\n" + long + "\n" + `{"id": "3", "body": "c"}` + "\n" + long
	recs := parse(t, "n.jsonl", content, ingest.Options{MaxLineBytes: 100})
	if len(recs) != 4 {
		t.Fatalf("%d records: %+v", len(recs), recs)
	}
	wantErr(t, recs[0], nil)
	wantErr(t, recs[1], ingest.ErrTooLarge, "100-byte")
	wantErr(t, recs[2], nil)
	wantErr(t, recs[3], ingest.ErrTooLarge)
	if recs[1].Origin != "n.jsonl:2" || recs[3].Origin != "n.jsonl:4" || recs[2].Article.ID != "3" {
		t.Errorf("origins %q %q, id %q", recs[1].Origin, recs[3].Origin, recs[2].Article.ID)
	}
	// A line exactly at the limit is read.
	exact := `{"id": "e", "body": "` + strings.Repeat("y", 100-len(`{"id": "e", "body": ""}`)) + `"}`
	wantErr(t, parse(t, "n.jsonl", exact+"\r\n", ingest.Options{MaxLineBytes: 100})[0], nil)
}

// gzipLines compresses lines, flushing after each so that a reader can
// decode every line before a later break.
func gzipLines(t *testing.T, lines ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	for _, l := range lines {
		if _, err := zw.Write([]byte(l + "\n")); err != nil {
			t.Fatal(err)
		}
		if err := zw.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// noise is text deflate cannot shrink much, so a cut in its compressed
// form falls inside it.
func noise(n int) string {
	rng := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[rng.IntN(36)]
	}
	return string(b)
}

func TestJSONLinesGzip(t *testing.T) {
	good := func(id string) string { return `{"id": "` + id + `", "body": "Nội dung ` + id + `."}` }
	big := `{"id": "big", "body": "` + noise(4000) + `"}`
	full := gzipLines(t, good("1"), good("2"), "{broken", good("4"), big)
	truncated := full[:len(full)-2000]
	badCRC := bytes.Clone(full)
	badCRC[len(badCRC)-8] ^= 0xff

	tests := []struct {
		name    string
		file    string
		content []byte
		wantOK  []string // IDs of the good records, in order
		wantErr []string // origins of the failed records, in order
		lastErr error    // the error of the last failed record
		errHas  []string
	}{
		{name: "jsonl.gz", file: "a.jsonl.gz", content: full, wantOK: []string{"1", "2", "4", "big"}, wantErr: []string{"a.jsonl.gz:3"}, lastErr: ingest.ErrMalformed},
		{name: "json.gz", file: "a.json.gz", content: full, wantOK: []string{"1", "2", "4", "big"}, wantErr: []string{"a.json.gz:3"}, lastErr: ingest.ErrMalformed},
		{name: "gzip detected by magic bytes", file: "a.jsonl", content: full, wantOK: []string{"1", "2", "4", "big"}, wantErr: []string{"a.jsonl:3"}, lastErr: ingest.ErrMalformed},
		{name: "byte order mark", file: "b.jsonl", content: []byte("\ufeff" + good("1") + "\n"), wantOK: []string{"1"}},
		{name: "plain text under a .gz name", file: "a.jsonl.gz", content: []byte(good("1") + "\n"), wantOK: []string{"1"}},
		{
			name: "truncated: the lines before the break still come through", file: "t.jsonl.gz", content: truncated,
			wantOK: []string{"1", "2", "4"}, wantErr: []string{"t.jsonl.gz:3", "t.jsonl.gz:5"},
			lastErr: ingest.ErrTruncated, errHas: []string{"ends early", "line 5"},
		},
		{
			name: "bad checksum", file: "c.jsonl.gz", content: badCRC,
			wantOK: []string{"1", "2", "4", "big"}, wantErr: []string{"c.jsonl.gz:3", "c.jsonl.gz:6"},
			lastErr: ingest.ErrTruncated, errHas: []string{"checksum"},
		},
		{name: "broken header", file: "h.jsonl.gz", content: []byte{0x1f, 0x8b, 0, 0}, wantErr: []string{"h.jsonl.gz"}, lastErr: ingest.ErrTruncated, errHas: []string{"gzip"}},
		{name: "empty file", file: "e.jsonl", content: nil, wantErr: []string{"e.jsonl"}, lastErr: ingest.ErrEmpty},
		{name: "blank lines only", file: "e.jsonl", content: []byte("\n \n\r\n"), wantErr: []string{"e.jsonl"}, lastErr: ingest.ErrEmpty},
		{name: "empty gzip", file: "e.jsonl.gz", content: gzipLines(t), wantErr: []string{"e.jsonl.gz"}, lastErr: ingest.ErrEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := parse(t, tt.file, string(tt.content), ingest.Options{})
			var ok, failed []string
			var last ingest.Record
			for _, r := range recs {
				if r.Err != nil {
					failed = append(failed, r.Origin)
					last = r
					continue
				}
				checkArticle(t, r.Origin, r.Article)
				ok = append(ok, r.Article.ID)
			}
			if strings.Join(ok, ",") != strings.Join(tt.wantOK, ",") {
				t.Errorf("good IDs %q, want %q", ok, tt.wantOK)
			}
			if strings.Join(failed, ",") != strings.Join(tt.wantErr, ",") {
				t.Errorf("failed origins %q, want %q", failed, tt.wantErr)
			}
			if tt.lastErr != nil {
				wantErr(t, last, tt.lastErr, tt.errHas...)
			}
		})
	}
}
