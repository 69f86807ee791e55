package storage

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/baobot/baobot/retrieval"
)

func TestRecordRoundTrip(t *testing.T) {
	local := time.Date(2024, 3, 4, 5, 6, 7, 8, time.Local)
	odd := time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.FixedZone("odd", -(3*3600+30*60+15)))
	for _, a := range append(fixtures(),
		retrieval.Article{ID: "local time", Body: "x", Published: local},
		retrieval.Article{ID: "odd zone", Body: "x", Published: odd},
		retrieval.Article{ID: "minus a minute", Body: "x", Published: time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("", -60))},
		retrieval.Article{ID: "year 1", Body: "x", Published: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)},
		retrieval.Article{ID: "far future", Body: "x", Published: time.Date(99999, 1, 1, 0, 0, 0, 0, time.UTC)},
		retrieval.Article{ID: "binary", Body: "\x00\xff\n", Title: "\x00"},
	) {
		want := record{article: a, hash: a.ContentHash(), addedAt: -12345, language: "vi", first: 42, passages: 7}
		v := appendRecord(nil, &want, plainCodec())
		if len(v) > want.maxSize() {
			t.Errorf("%s: %d bytes, maxSize %d", a.ID, len(v), want.maxSize())
		}
		got, err := decodeRecord(a.ID, v, textSource{})
		if err != nil {
			t.Fatal(err)
		}
		if err := sameArticle(got.article, a); err != nil {
			t.Errorf("%s: %v", a.ID, err)
		}
		got.article, want.article = retrieval.Article{}, retrieval.Article{}
		if want.text = nil; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %+v, want %+v", a.ID, got, want)
		}
	}
}

// A long text is stored compressed, a short one as it is, and records of
// version 1 (text not compressed) still decode.
func TestRecordText(t *testing.T) {
	long := strings.Repeat("Hà Nội mùa thu, cây cơm nguội vàng. ", 200)
	for _, a := range []retrieval.Article{
		{ID: "long", Summary: "tóm tắt", Body: long},
		{ID: "short", Body: "x"},
		{ID: "summary only", Summary: long, Body: ""},
	} {
		rec := record{article: a, hash: a.ContentHash(), first: 1, passages: 1}
		v := appendRecord(nil, &rec, plainCodec())
		if compressed := len(v) < len(a.Body)+len(a.Summary); compressed != (len(a.Body)+len(a.Summary) > 1000) {
			t.Errorf("%s: %d bytes for %d bytes of text", a.ID, len(v), len(a.Body)+len(a.Summary))
		}
		got, err := decodeRecord(a.ID, v, textSource{})
		if err != nil || got.article.Summary != a.Summary || got.article.Body != a.Body {
			t.Errorf("%s: %q, %q, %v", a.ID, got.article.Summary, got.article.Body, err)
		}

		got, err = decodeRecord(a.ID, plainRecord(a.ID, v), textSource{})
		if err != nil || got.article.Summary != a.Summary || got.article.Body != a.Body {
			t.Errorf("%s, version 1: %q, %q, %v", a.ID, got.article.Summary, got.article.Body, err)
		}
	}
}

// plainRecord rewrites the record v of article id as record version 1
// writes it: the head, then the summary and body as strings.
func plainRecord(id string, v []byte) []byte {
	rec, err := decodeRecord(id, v, textSource{})
	if err != nil {
		panic(err)
	}
	head, _ := decodeHead(id, v)
	v1 := append([]byte{recordVersionPlain}, v[1:len(v)-len(head.b)]...)
	return appendString(appendString(v1, rec.article.Summary), rec.article.Body)
}

func TestRecordCorrupt(t *testing.T) {
	rec := record{article: fixtures()[0], hash: "h", first: 1, passages: 2}
	rec.text = appendText(nil, plainCodec(), rec.article.Summary, rec.article.Body)
	if rec.text[0] != textZstd {
		t.Fatalf("the fixture's text is not compressed")
	}
	good := appendRecord(nil, &rec, plainCodec())
	tests := map[string][]byte{
		"empty":         nil,
		"other version": append([]byte{recordVersion + 1}, good[1:]...),
		"truncated":     good[:len(good)-1],
		"trailing":      append(append([]byte(nil), good...), 0),
		"unknown codec": append(good[:len(good)-len(rec.text)], 9),
	}
	for name, v := range tests {
		if _, err := decodeRecord("id", v, textSource{}); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", name, err)
		}
	}
}

func TestPassageRoundTrip(t *testing.T) {
	ref := retrieval.PassageRef{ArticleID: "vnexpress/1", Ordinal: 3, Start: 100, End: 250}
	got, length, err := decodePassage(9, appendPassage(nil, ref, 31))
	if err != nil || got != ref || length != 31 {
		t.Errorf("got %+v, %d, %v", got, length, err)
	}
	if _, _, err := decodePassage(9, appendPassage(nil, retrieval.PassageRef{}, 1)); !errors.Is(err, ErrCorrupt) {
		t.Errorf("passage without article: %v, want ErrCorrupt", err)
	}
}

// Decoding never panics, whatever the bytes.
func FuzzDecode(f *testing.F) {
	rec := record{article: fixtures()[0], hash: "h", first: 1, passages: 2}
	f.Add(appendRecord(nil, &rec, plainCodec()))
	f.Add(appendPassage(nil, retrieval.PassageRef{ArticleID: "a", Ordinal: 1, End: 9}, 3))
	f.Add(appendRunInfo(nil, &run{level: 1, lo: 3, norms: []byte{1, 0, 0, 0, 2, 0, 0, 0}}))
	f.Fuzz(func(t *testing.T, v []byte) {
		decodeRecord("id", v, textSource{})
		decodeInfo("id", v)
		decodePassage(1, v)
		if r, err := decodeRunInfo([]byte{0, 0, 0, 1}, v); err == nil && len(r.norms) > 0 {
			decodePostings(nil, v, &r)
		}
		it := blockIter{b: v}
		for it.next(new(entry)) {
		}
	})
}
