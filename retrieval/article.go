// Package retrieval is baobot's domain: articles and their passages, the text
// analysis that turns them into terms, BM25 ranking over passages, and the
// quoted snippets an answer is made of.
//
// It imports neither bbolt nor discordgo. It declares the small interfaces it
// needs from an index (Index, IndexReader) and the storage package implements
// them.
package retrieval

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"
)

// Article is one news article as it was given. Only ID and Body are required;
// no other field is ever invented: an unknown URL, source or date stays empty.
type Article struct {
	ID        string    // unique, stable identifier
	Title     string    // may be empty
	URL       string    // may be empty
	Source    string    // publisher or file name, may be empty
	Published time.Time // zero when unknown
	Language  string    // ISO 639-1 ("vi", "en"); empty means "detect"
	Summary   string    // lead paragraph ("sapo"), may be empty
	Body      string    // the article text, paragraphs separated by "\n"
}

// Text is the text that is indexed and quoted: the summary, if any, then the
// body. Passage offsets are byte offsets into Text.
func (a Article) Text() string {
	switch {
	case a.Summary == "":
		return a.Body
	case a.Body == "":
		return a.Summary
	}
	return a.Summary + "\n" + a.Body
}

// ContentHash identifies an article's content: two articles with the same
// hash are the same article, so re-ingesting one is a no-op.
func (a Article) ContentHash() string {
	h := sha256.New()
	var n [8]byte
	field := func(s string) {
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	field(a.ID)
	field(a.Title)
	field(a.URL)
	field(a.Source)
	if a.Published.IsZero() {
		field("")
	} else {
		field(a.Published.UTC().Format(time.RFC3339Nano))
	}
	field(a.Language)
	field(a.Summary)
	field(a.Body)
	return hex.EncodeToString(h.Sum(nil))
}

// DisplayTitle is the title to show: the article's own, or its first words
// when it has none.
func (a Article) DisplayTitle() string {
	if t := strings.TrimSpace(a.Title); t != "" {
		return t
	}
	return Truncate(strings.TrimSpace(firstLine(a.Text())), 80)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Truncate shortens s to at most max bytes, cutting at a word boundary and
// appending "…" when anything was cut. It never splits a UTF-8 sequence.
func Truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	const ellipsis = "…"
	limit := max - len(ellipsis)
	if limit <= 0 {
		return ellipsis[:0]
	}
	cut := limit
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	if sp := strings.LastIndexAny(s[:cut], " \t\n"); sp > limit/2 {
		cut = sp
	}
	return strings.TrimRight(s[:cut], " \t\n,;:") + ellipsis
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
