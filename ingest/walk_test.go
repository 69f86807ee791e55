package ingest_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/baobot/baobot/ingest"
)

// walk runs ingest.Walk and returns its Records.
func walk(t *testing.T, paths []string, opts ingest.Options) []ingest.Record {
	t.Helper()
	var recs []ingest.Record
	if err := ingest.Walk(paths, opts, func(r ingest.Record) error {
		recs = append(recs, r)
		return nil
	}); err != nil {
		t.Fatalf("Walk returned %v", err)
	}
	return recs
}

// corpus writes a small mixed directory and returns its path.
func corpus(t *testing.T) string {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.txt":                     "Tin A\nNội dung A.",
		"Thời sự/b.md":              "# Tin B\n\nNội dung B.",
		"Thời sự/sâu/c.html":        "<html><head><title>Tin C</title></head><body><p>Nội dung C.</p></body></html>",
		"Thời sự/sâu/d.jsonl":       `{"id": "d1", "body": "D1"}` + "\n" + `{"id": "d2"}` + "\n" + `{"id": "d3", "body": "D3"}` + "\n",
		"Thời sự/hỏng.txt":          "Tin hỏng\n\xff\xfe",
		"trống.md":                  "",
		"ảnh.jpg":                   "\xff\xd8\xff\xe0",
		"README":                    "not an article",
		".hidden.txt":               "Ẩn\nKhông được đọc.",
		".git/objects/x.txt":        "Ẩn\nKhông được đọc.",
		"Thời sự/.cache/e.txt":      "Ẩn\nKhông được đọc.",
		"Thời sự/sâu/notes.txt.bak": "bỏ qua",
	})
	return dir
}

func TestWalkDirectory(t *testing.T) {
	dir := corpus(t)
	recs := walk(t, []string{dir}, ingest.Options{})

	type result struct{ origin, id, err string }
	var got []result
	for _, r := range recs {
		origin, _ := filepath.Rel(dir, r.Origin)
		res := result{origin: filepath.ToSlash(origin), id: r.Article.ID}
		if r.Err != nil {
			res.err = r.Err.Error()
			res.id = ""
		} else {
			checkArticle(t, r.Origin, r.Article)
		}
		got = append(got, res)
	}
	// Lexical (byte) order; hidden, unknown and backup files skipped
	// silently; the bad files named and the good ones read.
	want := []result{
		{origin: "Thời sự/b.md", id: "thoi-su/b"},
		{origin: "Thời sự/hỏng.txt", err: "not UTF-8 text: invalid UTF-8 at line 2 (byte offset 11)"},
		{origin: "Thời sự/sâu/c.html", id: "thoi-su/sau/c"},
		{origin: "Thời sự/sâu/d.jsonl:1", id: "d1"},
		{origin: "Thời sự/sâu/d.jsonl:2", err: `malformed: missing "body"`},
		{origin: "Thời sự/sâu/d.jsonl:3", id: "d3"},
		{origin: "a.txt", id: "a"},
		{origin: "trống.md", err: "no text: empty file"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("records:\n got %q\nwant %q", got, want)
	}
	if n := ingest.Count([]string{dir}, ingest.Options{}); n != len(recs) {
		t.Errorf("Count = %d, Walk emitted %d", n, len(recs))
	}
}

func TestWalkPaths(t *testing.T) {
	dir := corpus(t)
	missing := filepath.Join(dir, "không có.txt")
	paths := []string{
		missing,
		filepath.Join(dir, "ảnh.jpg"),     // named explicitly: reported
		filepath.Join(dir, ".hidden.txt"), // named explicitly: read
		filepath.Join(dir, "Thời sự", "sâu", "c.html"), // ID from the base name
	}
	recs := walk(t, paths, ingest.Options{})
	if len(recs) != 4 {
		t.Fatalf("%d records: %+v", len(recs), recs)
	}
	wantErr(t, recs[0], fs.ErrNotExist)
	if recs[0].Origin != missing {
		t.Errorf("Origin = %q, want %q", recs[0].Origin, missing)
	}
	wantErr(t, recs[1], ingest.ErrUnsupported, ".jpg")
	wantErr(t, recs[2], nil)
	wantErr(t, recs[3], nil)
	if recs[2].Article.ID != "hidden" || recs[3].Article.ID != "c" || recs[3].Article.Source != "c.html" {
		t.Errorf("IDs %q %q, source %q", recs[2].Article.ID, recs[3].Article.ID, recs[3].Article.Source)
	}
	if n := ingest.Count(paths, ingest.Options{}); n != len(recs) {
		t.Errorf("Count = %d, Walk emitted %d", n, len(recs))
	}
}

func TestWalkStopsOnEmitError(t *testing.T) {
	dir := corpus(t)
	stop := errors.New("stop")
	for _, after := range []int{1, 3, 6} {
		calls := 0
		err := ingest.Walk([]string{dir, dir}, ingest.Options{}, func(ingest.Record) error {
			calls++
			if calls == after {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || calls != after {
			t.Errorf("stop after %d: Walk returned %v after %d calls", after, err, calls)
		}
	}
}

func TestWalkOversizeFile(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"big.txt":   "Tin lớn\n" + strings.Repeat("Nội dung. ", 100),
		"small.txt": "Tin nhỏ\nNội dung.",
		"n.jsonl":   `{"id": "j", "body": "` + strings.Repeat("x", 2000) + `"}`,
	})
	recs := walk(t, []string{dir}, ingest.Options{MaxFileBytes: 100})
	if len(recs) != 3 {
		t.Fatalf("%d records: %+v", len(recs), recs)
	}
	wantErr(t, recs[0], ingest.ErrTooLarge, "100-byte")
	if filepath.Base(recs[0].Origin) != "big.txt" {
		t.Errorf("Origin = %q", recs[0].Origin)
	}
	wantErr(t, recs[1], nil) // JSON Lines ignore MaxFileBytes
	wantErr(t, recs[2], nil)
}

func TestWalkSymlinks(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"real/a.txt": "Tin A\nNội dung."})
	if err := os.Symlink(filepath.Join(dir, "real"), filepath.Join(dir, "link")); err != nil {
		t.Skip("no symlinks:", err)
	}
	if err := os.Symlink(filepath.Join(dir, "real", "a.txt"), filepath.Join(dir, "real", "b.txt")); err != nil {
		t.Fatal(err)
	}
	// A symbolic link named as a root is followed; inside, a link to a
	// file is read and a link to a directory is not followed.
	recs := walk(t, []string{filepath.Join(dir, "link")}, ingest.Options{})
	if len(recs) != 2 || recs[0].Article.ID != "a" || recs[1].Article.ID != "b" {
		t.Errorf("walking the link: %+v", recs)
	}
	recs = walk(t, []string{dir}, ingest.Options{})
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.Article.ID)
	}
	if !slices.Equal(ids, []string{"real/a", "real/b"}) {
		t.Errorf("walking the parent: IDs %q", ids)
	}
}

func TestParseFile(t *testing.T) {
	dir := corpus(t)
	var recs []ingest.Record
	emit := func(r ingest.Record) error { recs = append(recs, r); return nil }
	for _, p := range []string{
		filepath.Join(dir, "Thời sự", "b.md"),
		filepath.Join(dir, "Thời sự"),
		filepath.Join(dir, "nope.txt"),
	} {
		if err := ingest.ParseFile(p, ingest.Options{}, emit); err != nil {
			t.Fatal(err)
		}
	}
	if len(recs) != 3 {
		t.Fatalf("%d records", len(recs))
	}
	wantErr(t, recs[0], nil)
	if recs[0].Article.ID != "b" || recs[0].Article.Title != "Tin B" || recs[0].Article.Source != "b.md" {
		t.Errorf("article %+v", recs[0].Article)
	}
	wantErr(t, recs[1], ingest.ErrUnsupported, "directory")
	wantErr(t, recs[2], fs.ErrNotExist)
}
