package storage

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/baobot/baobot/internal/testcorpus"
	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
)

// newsArticles are n varied news-like articles, IDs prefix-00000 on, each
// with a summary.
func newsArticles(seed uint64, n int, prefix string) []retrieval.Article {
	as := testcorpus.Articles(rand.New(rand.NewPCG(seed, 2)), n, prefix, "test")
	for i := range as {
		as[i].Summary = as[(i+1)%n].Title
	}
	return as
}

// textCodecs returns the codec byte of the text of every stored article.
func textCodecs(t *testing.T, db *DB) map[string]byte {
	t.Helper()
	codecs := make(map[string]byte)
	err := db.viewTx(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketArticles).ForEach(func(k, v []byte) error {
			d, _ := decodeHead(string(k), v)
			if d.err != nil || len(d.b) == 0 {
				t.Fatalf("article %q: %v", k, d.err)
			}
			codecs[string(k)] = d.b[0]
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return codecs
}

// storedDict returns the text dictionary stored in db's meta, or nil.
func storedDict(t *testing.T, db *DB) []byte {
	t.Helper()
	var v []byte
	if err := db.viewTx(func(tx *bolt.Tx) error {
		v = slices.Clone(tx.Bucket(bucketMeta).Get(keyTextDict))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

// sameArticles fails t unless db holds want, byte for byte.
func sameArticles(t *testing.T, db *DB, want []retrieval.Article) {
	t.Helper()
	for _, a := range want {
		got, err := db.Article(a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := sameArticle(got, a); err != nil {
			t.Fatalf("article %q: %v", a.ID, err)
		}
	}
}

// fetchArticles reads the articles of ids as ranking does: each found in
// one View through FetchArticle, then all decoded at once, each on its own
// goroutine, before the View returns.
func fetchArticles(t *testing.T, db *DB, ids []string) ([]retrieval.Article, []error) {
	t.Helper()
	got, errs := make([]retrieval.Article, len(ids)), make([]error, len(ids))
	err := db.View(func(r retrieval.IndexReader) error {
		decodes := make([]func() (retrieval.Article, error), len(ids))
		for i, id := range ids {
			var err error
			if decodes[i], err = r.(retrieval.ArticleFetcher).FetchArticle(id); err != nil {
				errs[i] = err
			}
		}
		var wg sync.WaitGroup
		for i, decode := range decodes {
			if decode != nil {
				wg.Go(func() { got[i], errs[i] = decode() })
			}
		}
		wg.Wait()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, errs
}

// The write that brings an index to textDictMinArticles trains its
// dictionary; texts written later are compressed with it, and read back
// the same, also after reopening, read-only too.
func TestTextDictRoundTrip(t *testing.T) {
	db := openTest(t, nil)
	all := newsArticles(1, textDictMinArticles+150, "a")
	first, rest := all[:textDictMinArticles-1], all[textDictMinArticles-1:]
	lastPlain := rest[0].ID // the last article written without dictionary
	put(t, db, first...)
	if storedDict(t, db) != nil || db.codec.Load() != nil {
		t.Fatalf("a dictionary with %d articles", len(first))
	}
	put(t, db, rest[0])
	dict := storedDict(t, db)
	if dict == nil || db.codec.Load() == nil {
		t.Fatalf("no dictionary with %d articles", textDictMinArticles)
	}
	put(t, db, rest[1:]...)
	// Replacing an article rewrites its text with the dictionary.
	changed := all[0]
	changed.Body += "\nMột đoạn mới về giá vàng và lãi suất ngân hàng hôm nay."
	put(t, db, changed)
	all[0] = changed
	if err := db.Remove(all[1].ID); err != nil {
		t.Fatal(err)
	}
	all = slices.Delete(all, 1, 2)

	check := func(db *DB) {
		t.Helper()
		codecs := textCodecs(t, db)
		for _, a := range all {
			// The texts written before the dictionary are as they were.
			want := byte(textZstdDict)
			if a.ID != changed.ID && a.ID <= lastPlain {
				want = textZstd
			}
			if got := codecs[a.ID]; got != want && !(want == textZstd && got == textRaw) {
				t.Fatalf("article %q: codec %d, want %d", a.ID, got, want)
			}
		}
		sameArticles(t, db, all)
		checkIndex(t, db)
		rep, err := db.Check(CheckOptions{})
		if err != nil || !rep.OK() {
			t.Fatalf("check: %v %+v", err, rep)
		}
	}
	check(db)
	db = reopen(t, db, Options{Analyzer: retrieval.NewAnalyzer()})
	if db.codec.Load() == nil {
		t.Fatal("dictionary not loaded when opened")
	}
	check(db)
	put(t, db, newsArticles(2, 5, "b")...)
	if !bytes.Equal(storedDict(t, db), dict) {
		t.Fatal("dictionary replaced")
	}
	all = append(all, newsArticles(2, 5, "b")...)
	db = reopen(t, db, Options{ReadOnly: true})
	check(db)
}

// Reindex rewrites every text, with the dictionary.
func TestTextDictReindex(t *testing.T) {
	db := openTest(t, nil)
	all := newsArticles(3, textDictMinArticles+20, "a")
	put(t, db, all...)
	if err := db.Reindex(nil); err != nil {
		t.Fatal(err)
	}
	for id, c := range textCodecs(t, db) {
		if c != textZstdDict {
			t.Fatalf("article %q: codec %d after reindex", id, c)
		}
	}
	sameArticles(t, db, all)
	checkIndex(t, db)
}

// A reader whose DB opened the index before another trained its dictionary
// loads it from meta when it first meets a text compressed with it. (bbolt's
// lock keeps a second DB of the same file out of one process: the second
// DB here shares the first's file.)
func TestTextDictLoadedWhenMet(t *testing.T) {
	a := openTest(t, nil)
	// b, c and d open the index before it has a dictionary.
	b := &DB{bolt: a.bolt, path: a.path, readOnly: true}
	b.loadMeta()
	c := &DB{bolt: a.bolt, path: a.path, readOnly: true}
	c.loadMeta()
	d := &DB{bolt: a.bolt, path: a.path, readOnly: true}
	d.loadMeta()
	all := newsArticles(4, textDictMinArticles+10, "a")
	put(t, a, all[:10]...)
	sameArticles(t, b, all[:10])
	put(t, a, all[10:textDictMinArticles]...)
	put(t, a, all[textDictMinArticles:]...)
	if b.codec.Load() != nil {
		t.Fatal("dictionary loaded before a text needs it")
	}
	sameArticles(t, b, all)
	if b.codec.Load() == nil {
		t.Fatal("dictionary not kept once loaded")
	}

	// Through FetchArticle, whose decoding runs on other goroutines, which
	// may not read the transaction: the dictionary is loaded before.
	if c.codec.Load() != nil || d.codec.Load() != nil {
		t.Fatal("dictionary loaded before a text needs it")
	}
	ids := []string{all[0].ID, all[len(all)-1].ID, "no such article"}
	got, errs := fetchArticles(t, c, ids)
	if errs[0] != nil || sameArticle(got[0], all[0]) != nil {
		t.Fatalf("article %q, compressed without the dictionary: %v, %v", ids[0], errs[0], sameArticle(got[0], all[0]))
	}
	if errs[1] != nil || sameArticle(got[1], all[len(all)-1]) != nil {
		t.Fatalf("article %q, compressed with the dictionary: %v, %v", ids[1], errs[1], sameArticle(got[1], all[len(all)-1]))
	}
	if !errors.Is(errs[2], retrieval.ErrNotFound) {
		t.Fatalf("an article not stored: %v", errs[2])
	}
	if c.codec.Load() == nil {
		t.Fatal("dictionary not kept once loaded by FetchArticle")
	}
	// The dictionary is loaded by FetchArticle itself, in the transaction's
	// goroutine, not by the decoding that may run elsewhere.
	err := d.View(func(r retrieval.IndexReader) error {
		decode, err := r.(retrieval.ArticleFetcher).FetchArticle(ids[1])
		if err != nil {
			return err
		}
		if d.codec.Load() == nil {
			t.Error("dictionary not loaded before decoding")
		}
		_, err = decode()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// An index smaller than textDictMinArticles has no dictionary and writes
// texts as before.
func TestTextDictNotYet(t *testing.T) {
	db := openTest(t, nil)
	all := newsArticles(5, 50, "a")
	put(t, db, all...)
	if storedDict(t, db) != nil {
		t.Fatal("a dictionary")
	}
	for id, c := range textCodecs(t, db) {
		if c != textZstd && c != textRaw {
			t.Fatalf("article %q: codec %d", id, c)
		}
	}
	db = reopen(t, db, Options{ReadOnly: true})
	sameArticles(t, db, all)
}

// A damaged dictionary makes the texts compressed with it ErrCorrupt, not a
// panic; writes go on without it; Check names it, and Repair drops it and
// those texts.
func TestTextDictDamaged(t *testing.T) {
	db := openTest(t, nil)
	all := newsArticles(6, textDictMinArticles+20, "a")
	put(t, db, all[:textDictMinArticles]...)
	put(t, db, all[textDictMinArticles:]...)
	dict := storedDict(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	path := db.Path()
	clean := readFile(t, path)
	junk := make([]byte, len(dict)-4)
	for i := range junk {
		junk[i] = byte(i * 13)
	}
	for name, damaged := range map[string][]byte{
		"flipped":   append(append([]byte(nil), dict[:100]...), append([]byte{dict[100] ^ 1}, dict[101:]...)...),
		"junk":      appendTextDict(nil, junk),
		"truncated": dict[:3],
		"empty":     {},
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(path, clean, 0o600); err != nil {
				t.Fatal(err)
			}
			rawUpdate(t, path, func(tx *bolt.Tx) error {
				return tx.Bucket(bucketMeta).Put(keyTextDict, damaged)
			})
			db, err := Open(path, Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			codecs := textCodecs(t, db)
			ids := make([]string, len(all))
			for i, a := range all {
				ids[i] = a.ID
			}
			_, fetchErrs := fetchArticles(t, db, ids)
			for i, a := range all {
				_, err := db.Article(a.ID)
				if codecs[a.ID] == textZstdDict && !errors.Is(err, ErrCorrupt) || codecs[a.ID] != textZstdDict && err != nil {
					t.Fatalf("article %q, codec %d: %v", a.ID, codecs[a.ID], err)
				}
				// The same error (DB.Article names the file too).
				if (err == nil) != (fetchErrs[i] == nil) || !strings.HasSuffix(fmt.Sprint(err), fmt.Sprint(fetchErrs[i])) {
					t.Fatalf("article %q, codec %d: fetched %v, read %v", a.ID, codecs[a.ID], fetchErrs[i], err)
				}
			}
			rep, err := db.Check(CheckOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Has(ProblemTextDict) || !rep.Has(ProblemArticleRecord) || !rep.Repairable() {
				t.Fatalf("problems %v", kinds(rep))
			}
			db.Close()

			db, err = Open(path, Options{Analyzer: retrieval.NewAnalyzer()})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			// Writes go on, without the dictionary, and say why.
			extra := newsArticles(9, 1, "c")[0]
			if _, err := db.Put([]retrieval.Article{extra}); err != nil {
				t.Fatal(err)
			}
			if !errors.Is(db.textDictErr, ErrCorrupt) {
				t.Fatalf("training error %v", db.textDictErr)
			}
			if c := textCodecs(t, db)[extra.ID]; c != textZstd && c != textRaw {
				t.Fatalf("codec %d without a usable dictionary", c)
			}
			if _, err := db.Repair(nil); err != nil {
				t.Fatal(err)
			}
			// The reindex of the repair trains a new dictionary: 300
			// articles are left.
			if d := storedDict(t, db); d == nil || bytes.Equal(d, damaged) {
				t.Fatalf("dictionary after repair: %d bytes", len(d))
			}
			if rep, err := db.Check(CheckOptions{}); err != nil || !rep.OK() {
				t.Fatalf("after repair: %v %v", err, kinds(rep))
			}
			put(t, db, newsArticles(7, 10, "b")...)
			for id, c := range textCodecs(t, db) {
				if c != textZstdDict {
					t.Fatalf("article %q: codec %d", id, c)
				}
			}
			checkIndex(t, db)
		})
	}
}

// A page of an index with a dictionary overwritten with garbage, wherever
// it is, never makes reading the articles or checking the index panic.
func TestTextDictDamagedPages(t *testing.T) {
	if testing.Short() {
		t.Skip("reads hundreds of damaged copies")
	}
	db := openTest(t, nil)
	all := newsArticles(8, textDictMinArticles+5, "a")
	put(t, db, all...)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	damagedCopies(t, readFile(t, db.Path()), func(page int, path string) {
		rep, err := CheckFile(path, 0, CheckOptions{})
		if err != nil {
			t.Errorf("page %d: %v", page, err)
			return
		}
		if rep.Has(ProblemFile) {
			return
		}
		db, err := Open(path, Options{ReadOnly: true})
		if err != nil {
			return
		}
		defer db.Close()
		for _, a := range all {
			db.Article(a.ID)
		}
	})
}
