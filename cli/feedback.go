package cli

import (
	"encoding/csv"
	"flag"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/baobot/baobot/storage"
)

// feedbackHeader names the columns of `baobot feedback export`.
var feedbackHeader = []string{
	"voted_at", "vote", "question", "lang", "first_result", "article_id", "article_title",
	"shown_article_ids", "shown_at", "voter",
}

// runFeedback exports the 👍/👎 votes people gave answers on Discord:
// `baobot feedback export`, one CSV row per vote, oldest answer first.
// article_id and article_title are the first article of the page voted on
// (the title is empty once the article is removed); shown_article_ids are
// all of them, separated by spaces; voter is an opaque hash, the same for
// every vote of one person.
func runFeedback(a *app, args []string) error {
	fs := flag.NewFlagSet("feedback", flag.ContinueOnError)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 || rest[0] != "export" {
		return usagef("want export")
	}
	db, err := a.openDB()
	if err != nil {
		return err
	}
	defer db.Close()
	return writeFeedbackCSV(a.env.Stdout, db.DB)
}

// writeFeedbackCSV writes every vote in db as CSV, with a header.
func writeFeedbackCSV(out io.Writer, db *storage.DB) error {
	w := csv.NewWriter(out)
	if err := w.Write(feedbackHeader); err != nil {
		return err
	}
	titles := map[string]string{}
	title := func(id string) string { // "" once the article is removed
		t, ok := titles[id]
		if !ok && id != "" {
			if info, err := db.Info(id); err == nil {
				t = info.Title
			}
			titles[id] = t
		}
		return t
	}
	err := db.EachFeedback(func(f storage.Feedback, s storage.ShownAnswer) error {
		vote := "down"
		if f.Helpful {
			vote = "up"
		}
		first := ""
		if len(s.Articles) > 0 {
			first = s.Articles[0]
		}
		return w.Write([]string{
			f.At.UTC().Format(time.RFC3339), vote, s.Question, s.Lang, strconv.Itoa(s.Offset + 1),
			first, title(first), strings.Join(s.Articles, " "), s.At.UTC().Format(time.RFC3339), f.Voter,
		})
	})
	if err != nil {
		return err
	}
	w.Flush()
	return w.Error()
}
