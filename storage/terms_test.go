package storage

import (
	"fmt"
	"sync"
	"testing"
)

// Workers numbering overlapping terms at once get one number per term,
// the same for all, that gives the term back, all below span, and span
// close to the number of terms (the postings batch count-sorts by them).
func TestTermTable(t *testing.T) {
	tt := newTermTable()
	const terms, workers = 5000, 4
	got := make([][]int32, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range terms {
				got[w] = append(got[w], tt.id(fmt.Sprintf("t%d", (i*(w+1))%terms)))
			}
		})
	}
	wg.Wait()
	seen := make(map[int32]string)
	for w := range workers {
		for i, id := range got[w] {
			term := fmt.Sprintf("t%d", (i*(w+1))%terms)
			if tt.term(id) != term {
				t.Fatalf("number %d is %q, want %q", id, tt.term(id), term)
			}
			if other, ok := seen[id]; ok && other != term {
				t.Fatalf("number %d given to %q and %q", id, other, term)
			}
			seen[id] = term
			if int(id) >= tt.span() {
				t.Fatalf("number %d not below span %d", id, tt.span())
			}
		}
	}
	if len(seen) != terms {
		t.Errorf("%d numbers for %d terms", len(seen), terms)
	}
	if span := tt.span(); span > 2*terms {
		t.Errorf("span %d for %d terms", span, terms)
	}
}

// Streams join the queue in order: each waits for the one before it only.
func TestPrepareQueue(t *testing.T) {
	var q prepareQueue
	before1, finished1 := q.join()
	before2, finished2 := q.join()
	before3, _ := q.join()
	if before1 != nil || before2 != finished1 || before3 != finished2 {
		t.Errorf("joins: %v %v %v, finished %v %v", before1, before2, before3, finished1, finished2)
	}
}
