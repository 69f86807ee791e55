package ingest

import (
	"fmt"
	"strings"

	"github.com/baobot/baobot/retrieval"
)

// parseText reads a plain text article: UTF-8, one paragraph per line.
//
// Line endings are normalised, lines are trimmed and blank lines dropped;
// the body keeps the remaining lines, separated by "\n". The first line is
// the title when it looks like one (see looksLikeTitle) and more lines
// follow it; otherwise every line is body and the title is derived from the
// first sentence (see deriveTitle). ID and Source come from meta; no other
// metadata is set, since a text file states none.
func parseText(data []byte, meta fileMeta) (retrieval.Article, error) {
	text, err := checkText(data)
	if err != nil {
		return retrieval.Article{}, err
	}
	lines := paragraphs(text, false)
	if len(lines) == 0 {
		if len(data) == 0 {
			return retrieval.Article{}, fmt.Errorf("%w: empty file", ErrEmpty)
		}
		return retrieval.Article{}, fmt.Errorf("%w: only blank lines", ErrEmpty)
	}
	a := retrieval.Article{ID: meta.id, Source: meta.source}
	a.Title, a.Body = titleAndBody(lines)
	return a, nil
}

// titleAndBody applies the plain-text title rule to non-empty paragraphs.
func titleAndBody(lines []string) (title, body string) {
	if len(lines) > 1 && looksLikeTitle(lines[0]) {
		return lines[0], strings.Join(lines[1:], "\n")
	}
	first := lines[0]
	for _, l := range lines {
		if !retrieval.IsCaption(l) {
			first = l
			break
		}
	}
	return deriveTitle(first), strings.Join(lines, "\n")
}
