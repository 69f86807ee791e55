package storage

import (
	"errors"
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
		v := appendRecord(nil, &want)
		if len(v) > want.maxSize() {
			t.Errorf("%s: %d bytes, maxSize %d", a.ID, len(v), want.maxSize())
		}
		got, err := decodeRecord(a.ID, v)
		if err != nil {
			t.Fatal(err)
		}
		if err := sameArticle(got.article, a); err != nil {
			t.Errorf("%s: %v", a.ID, err)
		}
		got.article, want.article = retrieval.Article{}, retrieval.Article{}
		if got != want {
			t.Errorf("%s: %+v, want %+v", a.ID, got, want)
		}
	}
}

func TestRecordCorrupt(t *testing.T) {
	rec := record{article: fixtures()[0], hash: "h", first: 1, passages: 2}
	good := appendRecord(nil, &rec)
	tests := map[string][]byte{
		"empty":         nil,
		"other version": append([]byte{recordVersion + 1}, good[1:]...),
		"truncated":     good[:len(good)-1],
		"trailing":      append(append([]byte(nil), good...), 0),
	}
	for name, v := range tests {
		if _, err := decodeRecord("id", v); !errors.Is(err, ErrCorrupt) {
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
	f.Add(appendRecord(nil, &rec))
	f.Add(appendPassage(nil, retrieval.PassageRef{ArticleID: "a", Ordinal: 1, End: 9}, 3))
	f.Add(appendRunInfo(nil, &run{level: 1, lo: 3, norms: []byte{1, 0, 0, 0, 2, 0, 0, 0}}))
	f.Fuzz(func(t *testing.T, v []byte) {
		decodeRecord("id", v)
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
