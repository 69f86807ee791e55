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

// MaxScore finds exactly the hits exhaustive scoring ranks first: the same
// passages in the same order, with the same scores and coverage.
func TestMaxScoreMatchesExhaustive(t *testing.T) {
	idx := newMemIndex(t, syntheticArticles(t, 1500)...)
	s := NewSearcher(idx, NewAnalyzer(), DefaultParams())
	rng := rand.New(rand.NewPCG(9, 9))
	var questions []string
	questions = append(questions, benchQuestions...)
	for range 60 {
		a := idx.articles[fmt.Sprintf("a%05d", rng.IntN(1500))]
		words := strings.Fields(a.Body)
		start := rng.IntN(len(words) - 12)
		questions = append(questions, strings.Join(words[start:start+2+rng.IntN(10)], " "))
	}
	for _, question := range questions {
		for _, depth := range []int{1, 5, 40} {
			q := analyzeQuery(question, idx.Languages(), s.params)
			got, _, err := s.maxScore(idx, &q, depth, false)
			if err != nil {
				t.Fatal(err)
			}
			sc := new(rankScratch)
			q2 := analyzeQuery(question, idx.Languages(), s.params)
			if err := s.score(idx, &q2, sc); err != nil {
				t.Fatal(err)
			}
			want, _ := s.withCoverage(&q2, sc, depth)
			if len(got) != len(want) {
				t.Fatalf("%q depth %d: %d hits, want %d", question, depth, len(got), len(want))
			}
			for i := range got {
				if got[i].id != want[i].id || got[i].score != want[i].score || got[i].coverage != want[i].coverage {
					t.Fatalf("%q depth %d: hit %d: %+v, want %+v", question, depth, i, got[i], want[i])
				}
			}
			if q.termWeight != q2.termWeight {
				t.Errorf("%q: term weight %v, want %v", question, q.termWeight, q2.termWeight)
			}
		}
	}
}

// keyedIndex is a memIndex that tells which passages share an article.
type keyedIndex struct{ *memIndex }

func (k keyedIndex) ArticleKey(id PassageID) (uint64, bool) {
	if int(id) >= len(k.passages) {
		return 0, false
	}
	first := id
	for first > 0 && k.passages[first-1].ArticleID == k.passages[id].ArticleID {
		first--
	}
	return uint64(first), true
}

// With one passage per article, MaxScore finds the best passage of each of
// the best articles, as spreading the exhaustive ranking would.
func TestMaxScorePerArticle(t *testing.T) {
	idx := keyedIndex{newMemIndex(t, syntheticArticles(t, 800)...)}
	s := NewSearcher(idx, NewAnalyzer(), DefaultParams())
	rng := rand.New(rand.NewPCG(5, 5))
	questions := append([]string(nil), benchQuestions...)
	for range 40 {
		words := strings.Fields(idx.articles[fmt.Sprintf("a%05d", rng.IntN(800))].Body)
		start := rng.IntN(len(words) - 12)
		questions = append(questions, strings.Join(words[start:start+2+rng.IntN(10)], " "))
	}
	for _, question := range questions {
		for _, depth := range []int{1, 7, 20} {
			q := analyzeQuery(question, idx.Languages(), s.params)
			got, _, err := s.maxScore(idx, &q, depth, true)
			if err != nil {
				t.Fatal(err)
			}
			sc := new(rankScratch)
			q2 := analyzeQuery(question, idx.Languages(), s.params)
			if err := s.score(idx, &q2, sc); err != nil {
				t.Fatal(err)
			}
			all, _ := s.withCoverage(&q2, sc, len(sc.touched))
			var want []hit
			seen := map[string]bool{}
			for _, h := range all {
				a := idx.passages[h.id].ArticleID
				if !seen[a] && len(want) < depth {
					seen[a] = true
					want = append(want, h)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%q depth %d: %d hits, want %d", question, depth, len(got), len(want))
			}
			for i := range got {
				if got[i].id != want[i].id || got[i].score != want[i].score || got[i].coverage != want[i].coverage {
					t.Fatalf("%q depth %d: hit %d: %+v, want %+v", question, depth, i, got[i], want[i])
				}
			}
		}
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
