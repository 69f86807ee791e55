package retrieval

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// MaxScore finds exactly the hits exhaustive scoring ranks first: the same
// passages in the same order, with the same scores and coverage. The
// 5,000 passages span three of MaxScore's windows (windowBits), so that
// the threshold rises, and groups stop being essential, in mid-window; and
// the passages are searched in one part, or two or three on goroutines of
// their own that share their thresholds.
func TestMaxScoreMatchesExhaustive(t *testing.T) {
	const articles = 5000
	if articles <= 2<<windowBits {
		t.Fatalf("%d passages fit in two windows", articles)
	}
	idx := newMemIndex(t, syntheticArticles(t, articles)...)
	s := NewSearcher(idx, NewAnalyzer(), DefaultParams())
	rng := rand.New(rand.NewPCG(9, 9))
	var questions []string
	questions = append(questions, benchQuestions...)
	for range 60 {
		a := idx.articles[fmt.Sprintf("a%05d", rng.IntN(articles))]
		words := strings.Fields(a.Body)
		start := rng.IntN(len(words) - 12)
		questions = append(questions, strings.Join(words[start:start+2+rng.IntN(10)], " "))
	}
	// The passages where two or three parts start, which a part must not
	// leave to the one before it.
	for _, cut := range []int{articles / 2, articles / 3, 2 * articles / 3} {
		ref := idx.passages[cut]
		a := idx.articles[ref.ArticleID]
		questions = append(questions, strings.Join(strings.Fields(a.Text()[ref.Start:ref.End])[:8], " "))
	}
	for _, question := range questions {
		for _, c := range []struct{ depth, parts int }{{1, 1}, {5, 1}, {40, 1}, {1, 2}, {5, 2}, {1, 3}, {40, 3}} {
			depth := c.depth
			forceParts = c.parts
			q := analyzeQuery(question, idx.Languages(), s.params)
			got, _, err := s.maxScore(idx, &q, depth, false)
			forceParts = 0
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
				t.Fatalf("%q depth %d, %d parts: %d hits, want %d", question, depth, c.parts, len(got), len(want))
			}
			for i := range got {
				if got[i].id != want[i].id || got[i].score != want[i].score || got[i].coverage != want[i].coverage {
					t.Fatalf("%q depth %d, %d parts: hit %d: %+v, want %+v", question, depth, c.parts, i, got[i], want[i])
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
// the best articles, as spreading the exhaustive ranking would, over
// several windows as in TestMaxScoreMatchesExhaustive.
func TestMaxScorePerArticle(t *testing.T) {
	const articles = 5000
	idx := keyedIndex{newMemIndex(t, syntheticArticles(t, articles)...)}
	s := NewSearcher(idx, NewAnalyzer(), DefaultParams())
	rng := rand.New(rand.NewPCG(5, 5))
	questions := append([]string(nil), benchQuestions...)
	for range 40 {
		words := strings.Fields(idx.articles[fmt.Sprintf("a%05d", rng.IntN(articles))].Body)
		start := rng.IntN(len(words) - 12)
		questions = append(questions, strings.Join(words[start:start+2+rng.IntN(10)], " "))
	}
	for _, question := range questions {
		for _, c := range []struct{ depth, parts int }{{1, 1}, {7, 1}, {20, 1}, {7, 2}, {20, 3}} {
			depth := c.depth
			forceParts = c.parts
			q := analyzeQuery(question, idx.Languages(), s.params)
			got, _, err := s.maxScore(idx, &q, depth, true)
			forceParts = 0
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
				t.Fatalf("%q depth %d, %d parts: %d hits, want %d", question, depth, c.parts, len(got), len(want))
			}
			for i := range got {
				if got[i].id != want[i].id || got[i].score != want[i].score || got[i].coverage != want[i].coverage {
					t.Fatalf("%q depth %d, %d parts: hit %d: %+v, want %+v", question, depth, c.parts, i, got[i], want[i])
				}
			}
		}
	}
}

// MaxScore cuts a question into one part per CPU it may take, and each of
// the questions being answered at once may take its share of the CPUs: with
// as many questions as CPUs, none is cut.
func TestMaxScorePartsShareTheCPUs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	idx := keyedIndex{newMemIndex(t, syntheticArticles(t, 200)...)}
	s := NewSearcher(idx, NewAnalyzer(), DefaultParams())
	q := analyzeQuery("Ngoại trưởng Mỹ là ai?", idx.Languages(), s.params)
	var groups []scoredGroup
	for _, g := range q.groups {
		c, _, err := groupCursor(idx, g.keys)
		if err != nil {
			t.Fatal(err)
		}
		if c != nil {
			groups = append(groups, scoredGroup{cursor: c})
		}
	}
	for _, c := range []struct{ asking, cpus, cuts int }{{0, 4, 3}, {1, 4, 3}, {2, 2, 1}, {3, 1, 0}, {4, 1, 0}, {9, 1, 0}} {
		s.asking.Store(int32(c.asking))
		m := &maxScorer{cpus: s.cpusPerQuestion(), keyer: idx}
		cuts := m.cuts(idx, groups, 100*minPartPostings)
		if m.cpus != c.cpus || len(cuts) != c.cuts {
			t.Errorf("%d questions being answered: %d CPUs, cuts %v; want %d CPUs, %d cuts", c.asking, m.cpus, cuts, c.cpus, c.cuts)
		}
	}
	if cuts := (&maxScorer{cpus: 4, keyer: idx}).cuts(idx, groups, 2*minPartPostings-1); len(cuts) != 0 {
		t.Errorf("a question of too few postings cut at %v", cuts)
	}
}
