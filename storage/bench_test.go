package storage

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/baobot/baobot/retrieval"
)

// newsCorpus generates n articles of about 3 KB in ten passages, words drawn
// from a Zipf distribution over a 30,000-word vocabulary: the shape of the
// news collection baobot ingests.
func newsCorpus(seed uint64, n int) []retrieval.Article {
	rng := rand.New(rand.NewPCG(seed, 2))
	zipf := rand.NewZipf(rng, 1.07, 1, 30000)
	out := make([]retrieval.Article, n)
	for i := range out {
		var b strings.Builder
		for p := range 10 {
			if p > 0 {
				b.WriteByte('\n')
			}
			for w := range 50 {
				if w > 0 {
					b.WriteByte(' ')
				}
				fmt.Fprintf(&b, "t%d", zipf.Uint64())
			}
		}
		out[i] = retrieval.Article{ID: fmt.Sprintf("s%d-%06d", seed, i), Title: "Benchmark", Body: b.String()}
	}
	return out
}

// BenchmarkPut ingests batches of 500 articles into a growing index: bytes/s
// is article text per second.
func BenchmarkPut(b *testing.B) {
	db := openTest(b, wordAnalyzer)
	batch := 0
	for b.Loop() {
		b.StopTimer()
		articles := newsCorpus(uint64(batch), 500)
		size := 0
		for _, a := range articles {
			size += len(a.Body)
		}
		b.SetBytes(int64(size))
		batch++
		b.StartTimer()
		if _, err := db.Put(articles); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPostings reads the postings of terms from the most to the least
// frequent in an index of 10,000 articles.
func BenchmarkPostings(b *testing.B) {
	db := openTest(b, wordAnalyzer)
	for i := range 20 {
		if _, err := db.Put(newsCorpus(uint64(i), 500)); err != nil {
			b.Fatal(err)
		}
	}
	for _, term := range []string{"t1", "t10", "t100", "t10000"} {
		b.Run(term, func(b *testing.B) {
			err := db.View(func(r retrieval.IndexReader) error {
				n := 0
				for b.Loop() {
					ps, err := r.Postings(term)
					if err != nil {
						return err
					}
					n = len(ps)
				}
				b.ReportMetric(float64(n), "postings")
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkReplace replaces articles in the middle of a large index.
func BenchmarkReplace(b *testing.B) {
	db := openTest(b, wordAnalyzer)
	var all []retrieval.Article
	for i := range 10 {
		articles := newsCorpus(uint64(i), 500)
		if _, err := db.Put(articles); err != nil {
			b.Fatal(err)
		}
		all = append(all, articles...)
	}
	i := 0
	for b.Loop() {
		a := all[(i*7919)%len(all)]
		a.Body = strings.Join(slices.Repeat([]string{fmt.Sprint("revision ", i)}, 3), "\n") + "\n" + a.Body
		i++
		if _, err := db.Put([]retrieval.Article{a}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNearForms finds the forms near misspelled words in an index of
// the first 5,000 real news articles (../shared/data/vinews; skipped
// without it), beside the postings of a rare term for comparison: a
// misspelled word costs its walk on top of the question's lookups.
func BenchmarkNearForms(b *testing.B) {
	f, err := os.Open("../../shared/data/vinews/vinews.jsonl.gz")
	if err != nil {
		b.Skip("no news corpus:", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	db := openTest(b, nil)
	dec := json.NewDecoder(bufio.NewReader(zr))
	var batch []retrieval.Article
	for n := 0; n < 5000; n++ {
		var a struct{ ID, Title, Body string }
		if err := dec.Decode(&a); err != nil {
			b.Fatal(err)
		}
		batch = append(batch, retrieval.Article{ID: a.ID, Title: a.Title, Body: a.Body, Language: "vi"})
		if len(batch) == 500 {
			put(b, db, batch...)
			batch = batch[:0]
		}
	}
	for _, c := range []struct{ name, word string }{
		{"postings-blinken", ""}, // the comparison: one term's postings
		{"blinkin", "blinkin"},   // a name, 2 edits
		{"nguyeen", "nguyeen"},   // a syllable typed twice over, 2 edits
		{"chinhh", "chinhh"},     // a common syllable, 2 edits: many neighbours
		{"ghandi", "ghandi"},
	} {
		b.Run(c.name, func(b *testing.B) {
			err := db.View(func(ir retrieval.IndexReader) error {
				n := 0
				for b.Loop() {
					if c.word == "" {
						ps, err := ir.Postings("blinken")
						if err != nil {
							return err
						}
						n = len(ps)
						continue
					}
					near, err := ir.(retrieval.NearReader).NearForms(c.word, 2)
					if err != nil {
						return err
					}
					n = len(near)
				}
				b.ReportMetric(float64(n), "found")
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}
