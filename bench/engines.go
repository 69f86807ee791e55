package main

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/baobot/baobot/ingest"
	"github.com/baobot/baobot/load"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

// engine is one search engine under test. Each method runs in its own child
// process, so memory figures belong to one engine.
type engine interface {
	// ingest builds an index in dir from src, in batches of batch
	// documents, and returns its wall time, from opening to closing (src
	// reads ahead in its own goroutine, so the time is nearly all the
	// engine's).
	ingest(dir string, src corpusSource, batch int) (time.Duration, error)
	// open opens the index in dir for searching.
	open(dir string) (searcher, error)
}

// searcher answers queries from an open index.
type searcher interface {
	// search returns the IDs of the top k documents for q, best first.
	search(q string, k int) ([]string, error)
	close() error
}

var engines = map[string]engine{"baobot": baobotEngine{}, "bleve": bleveEngine{}}

// engineNames is the order engines run and are reported in.
var engineNames = []string{"baobot", "bleve"}

// baobotEngine goes through baobot's product path: storage.Open and
// load.Loader to ingest, retrieval.Searcher.Ask (snippets included) to answer.
type baobotEngine struct{}

func baobotPath(dir string) string { return filepath.Join(dir, "baobot.db") }

func (baobotEngine) ingest(dir string, src corpusSource, batch int) (time.Duration, error) {
	began := time.Now()
	db, err := storage.Open(baobotPath(dir), storage.Options{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		return 0, err
	}
	// load.Loader is how `baobot ingest` writes: a batch per transaction,
	// written while the next one is prepared.
	var failed error
	loader := &load.Loader{DB: db, BatchSize: batch, Failed: func(origin string, err error) { failed = fmt.Errorf("%s: %w", origin, err) }}
	err = src.each(batch, func(docs []doc) error {
		for _, d := range docs {
			a := retrieval.Article{ID: d.ID, Body: d.Body, Language: "vi", Source: "bench"}
			if err := loader.Add(ingest.Record{Origin: d.ID, Article: a}); err != nil {
				return err
			}
		}
		return failed
	})
	if err == nil {
		err = loader.Flush()
	}
	if err == nil {
		err = failed
	}
	if err != nil {
		loader.Wait()
		db.Close()
		return 0, err
	}
	err = db.Close()
	return time.Since(began), err
}

func (baobotEngine) open(dir string) (searcher, error) {
	db, err := storage.Open(baobotPath(dir), storage.Options{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		return nil, err
	}
	return &baobotSearcher{db: db, s: retrieval.NewSearcher(db, retrieval.NewAnalyzer(), retrieval.DefaultParams())}, nil
}

type baobotSearcher struct {
	db *storage.DB
	s  *retrieval.Searcher
}

func (b *baobotSearcher) search(q string, k int) ([]string, error) {
	ans, err := b.s.Ask(q, k)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(ans.Results))
	for i, r := range ans.Results {
		ids[i] = r.Article.ID
	}
	return ids, nil
}

func (b *baobotSearcher) close() error { return b.db.Close() }

// bleveEngine is Bleve v2 with a scorch index on disk, its standard
// analyzer and BM25 scoring through the index mapping. The body is stored
// (as baobot stores the text it quotes) but without term vectors: Bleve
// returns document IDs only, while baobot also chooses and marks snippets.
type bleveEngine struct{}

func blevePath(dir string) string { return filepath.Join(dir, "bleve") }

func bleveMapping() mapping.IndexMapping {
	body := bleve.NewTextFieldMapping()
	body.Analyzer = standard.Name
	body.Store = true
	body.IncludeTermVectors = false
	body.IncludeInAll = false
	body.DocValues = false
	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt("body", body)
	im := bleve.NewIndexMapping()
	im.DefaultMapping = dm
	im.DefaultAnalyzer = standard.Name
	im.DefaultField = "body"
	im.ScoringModel = bleveindex.BM25Scoring
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	return im
}

func (bleveEngine) ingest(dir string, src corpusSource, batch int) (time.Duration, error) {
	began := time.Now()
	idx, err := bleve.NewUsing(blevePath(dir), bleveMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		return 0, err
	}
	err = src.each(batch, func(docs []doc) error {
		b := idx.NewBatch()
		for _, d := range docs {
			if err := b.Index(d.ID, map[string]any{"body": d.Body}); err != nil {
				return err
			}
		}
		return idx.Batch(b)
	})
	if err != nil {
		idx.Close()
		return 0, err
	}
	err = idx.Close()
	return time.Since(began), err
}

func (bleveEngine) open(dir string) (searcher, error) {
	idx, err := bleve.Open(blevePath(dir))
	if err != nil {
		return nil, err
	}
	return &bleveSearcher{idx: idx}, nil
}

type bleveSearcher struct{ idx bleve.Index }

func (b *bleveSearcher) search(q string, k int) ([]string, error) {
	mq := bleve.NewMatchQuery(q)
	mq.SetField("body")
	req := bleve.NewSearchRequestOptions(mq, k, 0, false)
	res, err := b.idx.Search(req)
	if err != nil {
		return nil, fmt.Errorf("bleve: %w", err)
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids, nil
}

func (b *bleveSearcher) close() error { return b.idx.Close() }
