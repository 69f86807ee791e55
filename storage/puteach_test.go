package storage

import (
	"errors"
	"testing"

	"github.com/baobot/baobot/retrieval"
)

func TestPutEachSetsAsideRefusedArticles(t *testing.T) {
	db := openTest(t, wordAnalyzer)
	good := fixtures()[:2]
	batch := []retrieval.Article{good[0], {ID: "no-body"}, good[1], {Body: "no id"}}
	outcomes, failures, err := db.PutEach(batch)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []Outcome{Added, 0, Added, 0} {
		if want == 0 {
			if !errors.Is(failures[i], ErrInvalidArticle) {
				t.Errorf("article %d: failure %v, want ErrInvalidArticle", i, failures[i])
			}
			continue
		}
		if failures[i] != nil || outcomes[i] != want {
			t.Errorf("article %d: outcome %v, failure %v; want %v", i, outcomes[i], failures[i], want)
		}
	}
	if stats, _ := db.Stats(); stats.Articles != 2 {
		t.Errorf("%d articles stored, want 2", stats.Articles)
	}
	checkIndex(t, db)

	// Everything refused: nothing written, no error.
	_, failures, err = db.PutEach([]retrieval.Article{{ID: "x"}})
	if err != nil || failures[0] == nil {
		t.Errorf("all refused: failures %v, err %v", failures, err)
	}
}
