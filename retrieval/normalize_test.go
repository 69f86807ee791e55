package retrieval

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The fast paths of analysis give what their definitions give.

func TestWordRuneTableMatchesDefinition(t *testing.T) {
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if isWordRune(r) != isWordRuneSlow(r) {
			t.Fatalf("isWordRune(%U) = %v, definition %v", r, isWordRune(r), isWordRuneSlow(r))
		}
	}
}

// formsTestWords are surface words of several scripts, spellings and
// normal forms: more than formCachePublish of them, so that the cache
// publishes snapshots while they are looked up.
func formsTestWords(tb testing.TB) []string {
	var words []string
	seen := map[string]bool{}
	add := func(w string) {
		if !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	texts := append(seedTexts(tb), fuzzSeeds...)
	texts = append(texts, "Hoà HÒA hòa Thuỷ THỦY Ёлка ЁЛКА Zürich São Ñandú ǅemal Ǉubljana İstanbul ΣΊΣΥΦΟΣ")
	for _, text := range texts {
		for _, variant := range []string{text, norm.NFD.String(text), strings.ToUpper(text)} {
			for _, tok := range tokenize(variant) {
				add(variant[tok.start:tok.end])
			}
		}
	}
	if len(words) <= 2*formCachePublish {
		tb.Fatalf("only %d words", len(words))
	}
	return words
}

// forms, cached, equals computeForms, uncached, for every word, whether the
// cache holds it in its snapshot, among the pending words or not yet.
func TestFormsCacheMatchesDefinition(t *testing.T) {
	words := formsTestWords(t)
	for round := range 2 {
		for _, w := range words {
			for _, vi := range []bool{true, false} {
				if got, want := forms(w, vi), computeForms(w, vi); got != want {
					t.Fatalf("round %d: forms(%q, %v) = %+v, want %+v", round, w, vi, got, want)
				}
			}
		}
	}
	if formCache.snapshot.Load() == nil {
		t.Fatal("the cache never published a snapshot")
	}
}

// Concurrent lookups and additions agree with the definition (run with
// -race to check the cache's locking).
func TestFormsCacheConcurrent(t *testing.T) {
	words := formsTestWords(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Go(func() {
			for i := range words {
				w := words[(i*7+g*13)%len(words)] + fmt.Sprint(g%2) // some words new to the cache
				if got, want := forms(w, g%2 == 0), computeForms(w, g%2 == 0); got != want {
					errs <- fmt.Errorf("forms(%q) = %+v, want %+v", w, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// IndexArticleExact, which never makes the folded terms, gives
// IndexArticle's passages without them.
func TestIndexArticleExactIsIndexArticleWithoutFolded(t *testing.T) {
	an := NewAnalyzer()
	bodies := append(seedTexts(t), fuzzSeeds...)
	bodies = append(bodies, "Hòa bình và hoà giải, thuỷ điện. Đường đi Nhat Ban du kien.", "The café owners' naïve résumés; Zürich.")
	for _, body := range bodies {
		for _, lang := range []string{"vi", "en", ""} {
			a := Article{ID: "x", Language: lang, Body: body}
			full, exact := an.IndexArticle(a), an.IndexArticleExact(a)
			if len(full.Passages) != len(exact.Passages) {
				t.Fatalf("%q: %d passages, exact %d", body, len(full.Passages), len(exact.Passages))
			}
			for i, p := range full.Passages {
				e := exact.Passages[i]
				want := map[string]uint32{}
				for term, tf := range p.Terms {
					if _, folded := FoldedTerm(term); !folded {
						want[term] = tf
					}
				}
				if p.Length != e.Length || p.Start != e.Start || p.End != e.End || fmt.Sprint(want) != fmt.Sprint(e.Terms) {
					t.Fatalf("%q passage %d: exact %+v, want %+v of %+v", body, i, e, want, p)
				}
			}
		}
	}
}
