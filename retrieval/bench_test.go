package retrieval

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// The micro-benchmarks of the hot paths of ingest and Ask. They build their
// corpora from the two seed articles of this repository: real Vietnamese
// sentences, and a synthetic collection whose words follow a Zipf law over
// the seeds' syllables.

func seedTexts(tb testing.TB) []string {
	tb.Helper()
	var out []string
	for _, f := range []string{"../seeds/000_motegi_blinken_call.txt", "../seeds/001_kishida_biden_summit.txt"} {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// syntheticArticles makes n articles of 6 to 10 sentences each, words drawn
// from the seeds' vocabulary by a Zipf law, with capitals, numbers and
// punctuation where news has them.
func syntheticArticles(tb testing.TB, n int) []Article {
	tb.Helper()
	var vocab []string
	seen := map[string]bool{}
	for _, text := range seedTexts(tb) {
		for _, t := range tokenize(text) {
			w := text[t.start:t.end]
			if !seen[w] {
				seen[w] = true
				vocab = append(vocab, w)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rng, 1.1, 3, uint64(len(vocab)-1))
	out := make([]Article, n)
	for i := range out {
		var b strings.Builder
		for s := range 6 + rng.IntN(5) {
			if s > 0 {
				b.WriteString(" ")
			}
			for w := range 12 + rng.IntN(20) {
				if w > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(vocab[zipf.Uint64()])
				if rng.IntN(40) == 0 {
					fmt.Fprintf(&b, " %d", rng.IntN(3000))
				}
			}
			b.WriteString(".")
		}
		out[i] = Article{ID: fmt.Sprintf("a%05d", i), Language: Vietnamese, Body: b.String()}
	}
	return out
}

var benchQuestions = []string{
	"Ngoại trưởng Mỹ là ai?",
	"Cuộc điện đàm kéo dài bao lâu?",
	"Nhật Bản dự kiến thành lập trụ sở chung khi nào?",
	"Nhat Ban du kien thanh lap tru so chung khi nao?",
	"Thủ tướng Kishida bày tỏ mong muốn gì về Triều Tiên",
}

// BenchmarkAnalyzePassage analyses one article of the seeds: tokens, forms,
// terms and syllable pairs, as ingest does. bytes/s is text analysed.
func BenchmarkAnalyzePassage(b *testing.B) {
	text := seedTexts(b)[1]
	an := NewAnalyzer()
	a := Article{ID: "seed", Language: Vietnamese, Body: text}
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		an.IndexArticle(a)
	}
}

// BenchmarkRank scores the questions against 5,000 synthetic articles:
// query analysis and BM25 over the postings, no snippets.
func BenchmarkRank(b *testing.B) {
	idx := newMemIndex(b, syntheticArticles(b, 5000)...)
	s := NewSearcher(idx, NewAnalyzer(), DefaultParams())
	langs := idx.Languages()
	i := 0
	for b.Loop() {
		q := analyzeQuery(benchQuestions[i%len(benchQuestions)], langs, s.params)
		if _, err := s.rank(idx, &q); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkChooseSnippet chooses the best window of a seed passage for a
// question, marks included.
func BenchmarkChooseSnippet(b *testing.B) {
	text := seedTexts(b)[1]
	idx := newMemIndex(b, Article{ID: "seed", Language: Vietnamese, Body: text})
	s := NewSearcher(idx, NewAnalyzer(), DefaultParams())
	q := analyzeQuery(benchQuestions[2], idx.Languages(), s.params)
	if _, err := s.rank(idx, &q); err != nil { // sets the words' IDF
		b.Fatal(err)
	}
	passage := idx.passages[len(idx.passages)-1]
	p := text[passage.Start:passage.End]
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		chooseSnippet(p, q, 320)
	}
}

// BenchmarkAsk answers the questions from 5,000 synthetic articles: the
// whole path, snippets included.
func BenchmarkAsk(b *testing.B) {
	idx := newMemIndex(b, syntheticArticles(b, 5000)...)
	s := NewSearcher(idx, NewAnalyzer(), DefaultParams())
	i := 0
	for b.Loop() {
		if _, err := s.Ask(benchQuestions[i%len(benchQuestions)], 10); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkAnalyzePassageExact is BenchmarkAnalyzePassage without the folded
// terms, as storage analyses.
func BenchmarkAnalyzePassageExact(b *testing.B) {
	text := seedTexts(b)[1]
	an := NewAnalyzer()
	a := Article{ID: "seed", Language: Vietnamese, Body: text}
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		an.IndexArticleExact(a)
	}
}
