package cli

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

const articlesPageSize = 20

// runArticles browses the collection: `baobot articles list|show ID|rm ID`.
func runArticles(a *app, args []string) error {
	fs := flag.NewFlagSet("articles", flag.ContinueOnError)
	page := fs.Int("page", 1, "page of the list")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		rest = []string{"list"}
	}
	sub, rest := rest[0], rest[1:]
	switch {
	case sub == "list" && len(rest) == 0:
		if *page < 1 {
			return usagef("--page must be 1 or more")
		}
	case (sub == "show" || sub == "rm") && len(rest) == 1:
	default:
		return usagef("want list, show ID or rm ID")
	}

	db, err := a.openDB()
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "list":
		return listArticles(a, db.DB, *page)
	case "show":
		return showArticle(a, db.DB, rest[0])
	default:
		if err := db.Remove(rest[0]); err != nil {
			if errors.Is(err, retrieval.ErrNotFound) {
				return fmt.Errorf("no article with id %q", rest[0])
			}
			return err
		}
		fmt.Fprintf(a.env.Stdout, "removed %s\n", rest[0])
		return nil
	}
}

func listArticles(a *app, db *storage.DB, page int) error {
	infos, total, err := db.List((page-1)*articlesPageSize, articlesPageSize)
	if err != nil {
		return err
	}
	pages := (total + articlesPageSize - 1) / articlesPageSize
	fmt.Fprintf(a.env.Stdout, "%d articles (page %d of %d)\n\n", total, page, max(pages, 1))
	tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTITLE\tSOURCE\tPUBLISHED\tPASSAGES")
	for _, info := range infos {
		published := "-"
		if !info.Published.IsZero() {
			published = info.Published.Format("2006-01-02")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", info.ID, retrieval.Truncate(info.Title, 60),
			retrieval.Truncate(info.Source, 30), published, info.Passages)
	}
	return tw.Flush()
}

func showArticle(a *app, db *storage.DB, id string) error {
	art, err := db.Article(id)
	if errors.Is(err, retrieval.ErrNotFound) {
		return fmt.Errorf("no article with id %q", id)
	}
	if err != nil {
		return err
	}
	info, err := db.Info(id)
	if err != nil {
		return err
	}
	w := a.env.Stdout
	fmt.Fprintf(w, "id:        %s\n", art.ID)
	fmt.Fprintf(w, "title:     %s\n", art.DisplayTitle())
	for _, f := range [][2]string{{"source", art.Source}, {"url", art.URL}, {"language", info.Language}} {
		if f[1] != "" {
			fmt.Fprintf(w, "%-10s %s\n", f[0]+":", f[1])
		}
	}
	if !art.Published.IsZero() {
		fmt.Fprintf(w, "published: %s\n", art.Published.Format("2006-01-02 15:04 MST"))
	}
	fmt.Fprintf(w, "added:     %s\n", info.AddedAt.In(a.location()).Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "passages:  %s\n\n", strconv.Itoa(info.Passages))
	if art.Summary != "" {
		fmt.Fprintf(w, "%s\n\n", art.Summary)
	}
	fmt.Fprintln(w, art.Body)
	return nil
}
