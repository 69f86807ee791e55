package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
)

// doc is one benchmark document: an article body with its ID. Titles and
// summaries are never indexed (the known-item queries are the titles), so a
// doc is exactly the text both engines index.
type doc struct {
	ID   string
	Body string
}

// sizeSpec is one corpus size: the first Base articles of the news file
// (all of them when Base is 0), repeated Copies times under distinct IDs,
// plus the XQuAD paragraphs.
type sizeSpec struct {
	Name   string
	Base   int // articles taken from the news file; 0 = all
	Copies int // times the base articles are indexed, under distinct IDs
}

// allSizes are the corpus sizes the benchmark knows, smallest first.
var allSizes = []sizeSpec{
	{"1k", 1000, 1},
	{"5k", 5000, 1},
	{"full", 0, 1},
	{"4x", 0, 4},
}

func sizeByName(name string) (sizeSpec, error) {
	for _, s := range allSizes {
		if s.Name == name {
			return s, nil
		}
	}
	return sizeSpec{}, fmt.Errorf("unknown size %q (want 1k, 5k, full or 4x)", name)
}

// copyID is the ID of copy c of the article id; copy 0 keeps the ID.
func copyID(id string, c int) string {
	if c == 0 {
		return id
	}
	return fmt.Sprintf("%s~c%d", id, c)
}

// baseID undoes copyID.
func baseID(id string) string {
	if i := strings.LastIndex(id, "~c"); i > 0 {
		return id[:i]
	}
	return id
}

// newsArticle is a line of vinews.jsonl.gz.
type newsArticle struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Body  string `json:"body"`
}

// eachNews streams the first limit articles (all when limit is 0) of the
// gzip JSON Lines file at path to fn, without keeping them.
func eachNews(path string, limit int, fn func(a newsArticle) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	dec := json.NewDecoder(bufio.NewReaderSize(zr, 1<<20))
	for n := 0; limit == 0 || n < limit; n++ {
		var a newsArticle
		if err := dec.Decode(&a); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("%s: article %d: %w", path, n+1, err)
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	return nil
}

// xquadParagraph is a paragraph of the XQuAD file and its questions.
type xquadParagraph struct {
	ID        string
	Context   string
	Questions []string
}

// loadXQuAD reads the SQuAD-format file at path. Paragraph IDs are
// "xquad-TITLE#N", as baobot's own evaluation names them, with a prefix.
func loadXQuAD(path string) ([]xquadParagraph, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f struct {
		Data []struct {
			Title      string `json:"title"`
			Paragraphs []struct {
				Context string `json:"context"`
				QAs     []struct {
					Question string `json:"question"`
				} `json:"qas"`
			} `json:"paragraphs"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []xquadParagraph
	for _, d := range f.Data {
		for i, p := range d.Paragraphs {
			xp := xquadParagraph{ID: fmt.Sprintf("xquad-%s#%d", d.Title, i+1), Context: p.Context}
			for _, q := range p.QAs {
				xp.Questions = append(xp.Questions, q.Question)
			}
			out = append(out, xp)
		}
	}
	return out, nil
}

// corpusSource streams the documents of one size: the news bodies, copy by
// copy, then the XQuAD paragraphs.
type corpusSource struct {
	newsPath string
	xquad    []xquadParagraph
	size     sizeSpec
}

// each calls fn with every document of the corpus in batches of batch. The
// corpus is read one batch ahead, in its own goroutine, while fn works on
// the batch before (an engine's time is then its own, not the reading's);
// only those two batches are in memory, so the engine's memory is what a
// child process measures.
func (c corpusSource) each(batch int, fn func([]doc) error) error {
	batches := make(chan []doc) // unbuffered: the reader holds one batch, fn the other
	stop := make(chan struct{})
	read := make(chan error, 1)
	go func() {
		defer close(batches)
		read <- c.read(batch, func(docs []doc) bool {
			select {
			case batches <- docs:
				return true
			case <-stop:
				return false
			}
		})
	}()
	for docs := range batches {
		if err := fn(docs); err != nil {
			close(stop)
			for range batches {
			}
			return err
		}
	}
	return <-read
}

// read reads the corpus in batches of batch documents and hands each to
// send, a new slice each time, until send returns false.
func (c corpusSource) read(batch int, send func([]doc) bool) error {
	pending := make([]doc, 0, batch)
	errStopped := fmt.Errorf("stopped")
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		if !send(pending) {
			return errStopped
		}
		pending = make([]doc, 0, batch)
		return nil
	}
	add := func(d doc) error {
		pending = append(pending, d)
		if len(pending) == batch {
			return flush()
		}
		return nil
	}
	err := func() error {
		for copyNo := range c.size.Copies {
			err := eachNews(c.newsPath, c.size.Base, func(a newsArticle) error {
				return add(doc{ID: copyID(a.ID, copyNo), Body: a.Body})
			})
			if err != nil {
				return err
			}
		}
		for _, p := range c.xquad {
			if err := add(doc{ID: p.ID, Body: p.Context}); err != nil {
				return err
			}
		}
		return flush()
	}()
	if err == errStopped {
		return nil
	}
	return err
}

// query is one benchmark question and the document it is about.
type query struct {
	Text     string `json:"text"`
	Relevant string `json:"relevant"` // base ID of the relevant document
	Kind     string `json:"kind"`     // "title" or "xquad"
}

// corpusInfo describes a size's corpus: its counts, its raw text size and
// its queries.
type corpusInfo struct {
	Articles int     `json:"articles"`
	RawBytes int64   `json:"raw_bytes"`
	Queries  []query `json:"queries"`
}

// describe reads the corpus of size once: it counts documents and bytes,
// and draws min(maxTitles, base articles) titles with a fixed seed as
// known-item queries, followed by every XQuAD question.
func (c corpusSource) describe(maxTitles int, seed uint64) (corpusInfo, error) {
	type titled struct{ id, title string }
	var titles []titled
	var info corpusInfo
	err := eachNews(c.newsPath, c.size.Base, func(a newsArticle) error {
		info.Articles += c.size.Copies
		info.RawBytes += int64(len(a.Body)) * int64(c.size.Copies)
		if t := strings.TrimSpace(a.Title); t != "" {
			titles = append(titles, titled{a.ID, t})
		}
		return nil
	})
	if err != nil {
		return info, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	rng.Shuffle(len(titles), func(i, j int) { titles[i], titles[j] = titles[j], titles[i] })
	for _, t := range titles[:min(maxTitles, len(titles))] {
		info.Queries = append(info.Queries, query{Text: t.title, Relevant: t.id, Kind: "title"})
	}
	for _, p := range c.xquad {
		info.Articles++
		info.RawBytes += int64(len(p.Context))
		for _, q := range p.Questions {
			info.Queries = append(info.Queries, query{Text: q, Relevant: p.ID, Kind: "xquad"})
		}
	}
	return info, nil
}
