// Package evaluate measures retrieval quality: it indexes a SQuAD-format
// question set into a temporary database and asks every question through the
// same path as `baobot ask`.
package evaluate

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/baobot/baobot/ingest"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

// Options configure one evaluation run.
type Options struct {
	Transform   string           // how questions are rewritten (see Transforms)
	Distractors []string         // extra article files or folders added to the corpus
	Params      retrieval.Params // ranking parameters, as `ask` uses them
	BatchSize   int              // articles per write transaction
	// Progress, when set, is told how many questions are done.
	Progress func(done, total int)
	// Questions, when set, gets one JSON line (a QuestionResult) per
	// question, in the file's order, so that two runs can be compared
	// question by question.
	Questions io.Writer
}

// QuestionResult is how one question was answered.
type QuestionResult struct {
	Question  string `json:"question"` // as asked, after the transform
	ArticleID string `json:"article_id"`
	// Rank is the 1-based rank of the question's own paragraph among the
	// results, 0 when it is not among the first 10.
	Rank int `json:"rank"`
	// TopArticleID is the first result's article, "" when there is none.
	TopArticleID string `json:"top_article_id"`
	// SnippetHit is the 1-based rank of the first of the first three
	// snippets holding the gold answer, 0 when none does.
	SnippetHit int  `json:"snippet_hit"`
	Confident  bool `json:"confident"`
}

// Report holds the figures of one run. JSON keys are the stable names the
// README and CI quote.
type Report struct {
	Questions      int     `json:"questions"`
	Paragraphs     int     `json:"paragraphs"`
	Distractors    int     `json:"distractors"`
	RecallAt1      float64 `json:"recall_at_1"`
	RecallAt5      float64 `json:"recall_at_5"`
	RecallAt10     float64 `json:"recall_at_10"`
	MRRAt10        float64 `json:"mrr_at_10"`
	SnippetHitAt1  float64 `json:"snippet_hit_at_1"`
	SnippetHitAt3  float64 `json:"snippet_hit_at_3"`
	ConfidentRatio float64 `json:"confident_ratio"`
	// OffTopicConfident is the share of questions answered confidently
	// from a collection that cannot answer them: the file's paragraphs
	// without questions (XQuAD's dev files hold every paragraph, but
	// questions only for every other article). It measures how often
	// baobot quotes noise as an answer; 0 when the file has no such
	// paragraphs.
	OffTopicConfident float64 `json:"off_topic_confident_ratio"`
	ZeroResults       int     `json:"zero_results"`
	LatencyMsP50      float64 `json:"latency_ms_p50"`
	LatencyMsP99      float64 `json:"latency_ms_p99"`
}

// squadFile is the part of the SQuAD v1.1 format the evaluation reads.
type squadFile struct {
	Data []squadDocument `json:"data"`
}

type squadDocument struct {
	Title      string           `json:"title"`
	Paragraphs []squadParagraph `json:"paragraphs"`
}

type squadParagraph struct {
	Context string `json:"context"`
	QAs     []struct {
		ID       string `json:"id"`
		Question string `json:"question"`
		Answers  []struct {
			Text string `json:"text"`
		} `json:"answers"`
	} `json:"qas"`
}

// hasQuestions reports whether any paragraph of doc has questions.
func (doc squadDocument) hasQuestions() bool {
	for _, p := range doc.Paragraphs {
		if len(p.QAs) > 0 {
			return true
		}
	}
	return false
}

type question struct {
	text, answer, articleID string
}

// SQuAD runs the evaluation of the SQuAD v1.1 file at path: every paragraph
// becomes one article; a question is answered correctly at rank r when its
// own paragraph is the r-th result.
func SQuAD(path string, opts Options) (Report, error) {
	transform, err := Transform(opts.Transform)
	if err != nil {
		return Report{}, err
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return Report{}, fmt.Errorf("reading %s: %w", path, err)
	}
	var f squadFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return Report{}, fmt.Errorf("%s is not SQuAD JSON: %w", path, err)
	}

	var articles, offTopic []retrieval.Article
	var questions []question
	source := filepath.Base(path)
	for _, doc := range f.Data {
		for i, p := range doc.Paragraphs {
			id := fmt.Sprintf("%s#%d", doc.Title, i+1)
			a := retrieval.Article{
				ID: id, Title: fmt.Sprintf("%s (%d)", strings.ReplaceAll(doc.Title, "_", " "), i+1),
				Source: source, Body: p.Context,
			}
			articles = append(articles, a)
			if !doc.hasQuestions() {
				offTopic = append(offTopic, a)
			}
			for _, qa := range p.QAs {
				q := question{text: transform(qa.Question), articleID: id}
				if len(qa.Answers) > 0 {
					q.answer = qa.Answers[0].Text
				}
				questions = append(questions, q)
			}
		}
	}
	if len(questions) == 0 {
		return Report{}, fmt.Errorf("%s has no questions", path)
	}

	batch := opts.BatchSize
	if batch <= 0 {
		batch = 500
	}
	db, cleanup, err := tempIndex(articles, batch)
	if err != nil {
		return Report{}, err
	}
	defer cleanup()
	report := Report{Questions: len(questions), Paragraphs: len(articles)}
	if len(opts.Distractors) > 0 {
		n, err := addDistractors(db, opts.Distractors, batch)
		if err != nil {
			return Report{}, err
		}
		report.Distractors = n
	}

	params := opts.Params
	if params.K1 == 0 {
		params = retrieval.DefaultParams()
	}
	searcher := retrieval.NewSearcher(db, retrieval.NewAnalyzer(), params)
	latencies := make([]float64, 0, len(questions))
	fold := cases.Fold()
	var perQuestion *json.Encoder
	if opts.Questions != nil {
		perQuestion = json.NewEncoder(opts.Questions)
		perQuestion.SetEscapeHTML(false)
	}
	for i, q := range questions {
		began := time.Now()
		ans, err := searcher.Ask(q.text, 10)
		latencies = append(latencies, float64(time.Since(began).Microseconds())/1000)
		if err != nil {
			return Report{}, fmt.Errorf("question %q: %w", q.text, err)
		}
		result := QuestionResult{Question: q.text, ArticleID: q.articleID, Confident: ans.Confident}
		if len(ans.Results) == 0 {
			report.ZeroResults++
		} else {
			result.TopArticleID = ans.Results[0].Article.ID
		}
		if ans.Confident {
			report.ConfidentRatio++
		}
		for rank, r := range ans.Results {
			if r.Article.ID != q.articleID {
				continue
			}
			if rank == 0 {
				report.RecallAt1++
			}
			if rank < 5 {
				report.RecallAt5++
			}
			report.RecallAt10++
			report.MRRAt10 += 1 / float64(rank+1)
			result.Rank = rank + 1
			break
		}
		gold := fold.String(norm.NFC.String(q.answer))
		for rank, r := range ans.Results {
			if rank >= 3 {
				break
			}
			if gold != "" && strings.Contains(fold.String(norm.NFC.String(r.Snippet)), gold) {
				if rank == 0 {
					report.SnippetHitAt1++
				}
				report.SnippetHitAt3++
				result.SnippetHit = rank + 1
				break
			}
		}
		if perQuestion != nil {
			if err := perQuestion.Encode(result); err != nil {
				return Report{}, fmt.Errorf("writing the result of question %q: %w", q.text, err)
			}
		}
		if opts.Progress != nil {
			opts.Progress(i+1, len(questions))
		}
	}
	if len(offTopic) > 0 {
		off, cleanup, err := tempIndex(offTopic, batch)
		if err != nil {
			return Report{}, err
		}
		defer cleanup()
		offSearcher := retrieval.NewSearcher(off, retrieval.NewAnalyzer(), params)
		for _, q := range questions {
			ans, err := offSearcher.Ask(q.text, 3)
			if err != nil {
				return Report{}, fmt.Errorf("question %q: %w", q.text, err)
			}
			if ans.Confident {
				report.OffTopicConfident++
			}
		}
	}
	n := float64(len(questions))
	for _, v := range []*float64{&report.RecallAt1, &report.RecallAt5, &report.RecallAt10, &report.MRRAt10,
		&report.SnippetHitAt1, &report.SnippetHitAt3, &report.ConfidentRatio, &report.OffTopicConfident} {
		*v = round(*v/n, 4)
	}
	sort.Float64s(latencies)
	report.LatencyMsP50 = round(percentile(latencies, 0.50), 3)
	report.LatencyMsP99 = round(percentile(latencies, 0.99), 3)
	return report, nil
}

// tempIndex writes articles into a new database in a temporary folder;
// cleanup closes and removes it.
func tempIndex(articles []retrieval.Article, batch int) (*storage.DB, func(), error) {
	dir, err := os.MkdirTemp("", "baobot-eval-")
	if err != nil {
		return nil, nil, err
	}
	db, err := storage.Open(filepath.Join(dir, "eval.db"), storage.Options{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	cleanup := func() { db.Close(); os.RemoveAll(dir) }
	for start := 0; start < len(articles); start += batch {
		if _, err := db.Put(articles[start:min(start+batch, len(articles))]); err != nil {
			cleanup()
			return nil, nil, fmt.Errorf("indexing paragraphs: %w", err)
		}
	}
	return db, cleanup, nil
}

// addDistractors ingests the articles of paths into db and returns how many
// were added. A bad item is an error: a measurement needs the whole corpus.
func addDistractors(db *storage.DB, paths []string, batch int) (int, error) {
	var pending []retrieval.Article
	added := 0
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		if _, err := db.Put(pending); err != nil {
			return fmt.Errorf("indexing distractors: %w", err)
		}
		added += len(pending)
		pending = pending[:0]
		return nil
	}
	err := ingest.Walk(paths, ingest.Options{}, func(r ingest.Record) error {
		if r.Err != nil {
			return fmt.Errorf("distractor %s: %w", r.Origin, r.Err)
		}
		pending = append(pending, r.Article)
		if len(pending) >= batch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return added, err
	}
	return added, flush()
}

func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p * float64(len(sorted)-1))
	return sorted[i]
}

func round(v float64, digits int) float64 {
	scale := 1.0
	for range digits {
		scale *= 10
	}
	return float64(int64(v*scale+0.5)) / scale
}
