package retrieval

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// memIndex is a minimal in-memory Index for testing retrieval without
// storage. It follows the IndexReader contract: postings in passage order.
type memIndex struct {
	stats    Stats
	postings map[string][]Posting
	passages []PassageRef
	articles map[string]Article
	langs    map[string]uint64
}

func newMemIndex(t testing.TB, articles ...Article) *memIndex {
	t.Helper()
	m := &memIndex{postings: map[string][]Posting{}, articles: map[string]Article{}, langs: map[string]uint64{}}
	an := NewAnalyzer()
	for _, a := range articles {
		ia := an.IndexArticle(a)
		m.articles[a.ID] = a
		m.langs[ia.Language]++
		m.stats.Articles++
		for _, p := range ia.Passages {
			id := PassageID(len(m.passages))
			m.passages = append(m.passages, PassageRef{ArticleID: a.ID, Ordinal: p.Ordinal, Start: p.Start, End: p.End})
			m.stats.Passages++
			m.stats.TotalLength += uint64(p.Length)
			for term, tf := range p.Terms {
				m.postings[term] = append(m.postings[term], Posting{Passage: id, TF: tf, Length: p.Length})
			}
		}
	}
	return m
}

func (m *memIndex) View(fn func(IndexReader) error) error { return fn(m) }
func (m *memIndex) Stats() Stats                          { return m.stats }
func (m *memIndex) PassageSpan() (lo, hi PassageID)       { return 0, PassageID(len(m.passages)) }
func (m *memIndex) Postings(term string) ([]Posting, error) {
	return m.postings[term], nil
}
func (m *memIndex) Passage(id PassageID) (PassageRef, error) {
	if int(id) >= len(m.passages) {
		return PassageRef{}, ErrNotFound
	}
	return m.passages[id], nil
}
func (m *memIndex) Article(id string) (Article, error) {
	a, ok := m.articles[id]
	if !ok {
		return Article{}, ErrNotFound
	}
	return a, nil
}
func (m *memIndex) Languages() map[string]uint64 { return m.langs }

// Spellings lists the exact terms of form, as storage's reader does.
func (m *memIndex) Spellings(form string) ([]Spelling, error) {
	var out []Spelling
	for term, ps := range m.postings {
		if _, folded := FoldedTerm(term); !folded && FoldedForm(term) == form {
			out = append(out, Spelling{Term: term, Passages: len(ps)})
		}
	}
	slices.SortFunc(out, func(a, b Spelling) int { return strings.Compare(a.Term, b.Term) })
	return out, nil
}

// NearForms matches every folded form of the vocabulary with an
// EditMatcher, as storage's reader does, without skipping any.
func (m *memIndex) NearForms(form string, maxEdits int) ([]NearForm, error) {
	count := map[string]map[PassageID]bool{}
	for term, ps := range m.postings {
		if _, folded := FoldedTerm(term); folded {
			continue
		}
		f := FoldedForm(term)
		if count[f] == nil {
			count[f] = map[PassageID]bool{}
		}
		for _, p := range ps {
			count[f][p.Passage] = true
		}
	}
	matcher := NewEditMatcher(form, maxEdits)
	var out []NearForm
	for f, passages := range count {
		first, _ := utf8.DecodeRuneInString(form)
		if r, _ := utf8.DecodeRuneInString(f); r != first {
			continue
		}
		if edits, hopeless := matcher.Match([]byte(f)); hopeless == 0 && edits <= maxEdits && f != form {
			out = append(out, NearForm{Form: f, Edits: edits, Passages: len(passages)})
		}
	}
	slices.SortFunc(out, func(a, b NearForm) int { return strings.Compare(a.Form, b.Form) })
	return out, nil
}
