package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/baobot/baobot/messages"
	"github.com/baobot/baobot/retrieval"
)

// runAsk answers a question: `baobot ask [--json] [-k N] QUESTION…`.
func runAsk(a *app, args []string) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON object")
	k := fs.Int("k", a.cfg.Retrieval.Results, "number of results")
	words, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *k < 1 || *k > 50 {
		return usagef("-k must be between 1 and 50")
	}
	question := strings.Join(words, " ")
	lang := messages.ForText(question, messages.Vietnamese)
	if err := retrieval.CheckQuestion(question, a.cfg.Retrieval.MaxQuestionChars); err != nil {
		return usageError{messages.QuestionProblem(lang, question, err)}
	}

	db, err := a.openDB()
	if err != nil {
		return err
	}
	defer db.Close()
	if db.NeedsReindex() {
		return errors.New(messages.Get(lang, messages.NeedsReindex))
	}
	searcher := retrieval.NewSearcher(db, a.analyzer, a.params())
	ans, err := searcher.Ask(question, *k)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeAnswerJSON(a.env.Stdout, ans)
	}
	writeAnswerText(a.env.Stdout, ans, lang, a.env.Terminal)
	return nil
}

// answerJSON is the stable JSON shape of `ask --json`.
type answerJSON struct {
	Question    string           `json:"question"`
	Confident   bool             `json:"confident"`
	Corrections []correctionJSON `json:"corrections"`
	Results     []resultJSON     `json:"results"`
}

// correctionJSON is a word no article holds and the word searched instead.
type correctionJSON struct {
	Typed string `json:"typed"`
	Read  string `json:"read"`
}

type resultJSON struct {
	ArticleID string   `json:"article_id"`
	Title     string   `json:"title"`
	Source    string   `json:"source"`
	URL       string   `json:"url"`
	Published string   `json:"published"`
	Passage   int      `json:"passage"`
	Snippet   string   `json:"snippet"`
	Marks     [][2]int `json:"marks"`
	Score     float64  `json:"score"`
}

func writeAnswerJSON(w io.Writer, ans retrieval.Answer) error {
	out := answerJSON{Question: ans.Question, Confident: ans.Confident, Corrections: []correctionJSON{}, Results: []resultJSON{}}
	for _, c := range ans.Corrections {
		out.Corrections = append(out.Corrections, correctionJSON(c))
	}
	for _, r := range ans.Results {
		published := ""
		if !r.Article.Published.IsZero() {
			published = r.Article.Published.Format(time.RFC3339)
		}
		marks := r.Marks
		if marks == nil {
			marks = [][2]int{}
		}
		out.Results = append(out.Results, resultJSON{
			ArticleID: r.Article.ID, Title: r.Article.DisplayTitle(), Source: r.Article.Source,
			URL: r.Article.URL, Published: published, Passage: r.Passage,
			Snippet: r.Snippet, Marks: marks, Score: float64(int64(r.Score*1e4+0.5)) / 1e4,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// writeAnswerText prints an answer for a person: each snippet as a quote
// with the matched words marked (bold on a terminal, **word** otherwise),
// then its source.
func writeAnswerText(w io.Writer, ans retrieval.Answer, lang messages.Lang, terminal bool) {
	for _, c := range ans.Corrections {
		fmt.Fprintln(w, messages.Get(lang, messages.ReadAs, c.Typed, c.Read))
	}
	switch {
	case len(ans.Results) == 0:
		fmt.Fprintln(w, messages.Get(lang, messages.NoResults))
		return
	case !ans.Confident:
		fmt.Fprintln(w, messages.Get(lang, messages.NotConfident))
		fmt.Fprintln(w)
	}
	open, close := "**", "**"
	if terminal {
		open, close = "\x1b[1m", "\x1b[0m"
	}
	for i, r := range ans.Results {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%d. “%s”\n", i+1, markSnippet(r.Snippet, r.Marks, open, close))
		fmt.Fprintf(w, "   — %s\n", sourceLine(r, lang))
	}
}

// markSnippet wraps the marked byte ranges of snippet in open/close.
func markSnippet(snippet string, marks [][2]int, open, close string) string {
	var b strings.Builder
	last := 0
	for _, m := range marks {
		if m[0] < last || m[1] > len(snippet) || m[0] >= m[1] {
			continue
		}
		b.WriteString(snippet[last:m[0]])
		b.WriteString(open)
		b.WriteString(snippet[m[0]:m[1]])
		b.WriteString(close)
		last = m[1]
	}
	b.WriteString(snippet[last:])
	return b.String()
}

// sourceLine names where a result comes from: title, source, date, passage
// and URL, whichever are known.
func sourceLine(r retrieval.Result, lang messages.Lang) string {
	parts := []string{r.Article.DisplayTitle()}
	if r.Article.Source != "" {
		parts = append(parts, r.Article.Source)
	}
	if !r.Article.Published.IsZero() {
		parts = append(parts, r.Article.Published.Format("2006-01-02"))
	}
	parts = append(parts, messages.Get(lang, messages.PassageLabel, r.Passage))
	line := strings.Join(parts, " · ")
	if r.Article.URL != "" {
		line += "\n     " + r.Article.URL
	}
	return line
}
