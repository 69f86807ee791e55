package retrieval

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Lead lines: one line that tells what an article is about, for lists such
// as digests.

// Bounds of the central-sentence choice.
const (
	leadMaxSentences = 200 // sentences compared; later ones are not candidates
	leadMinWords     = 4   // shorter sentences (datelines, "Ảnh: …") are not candidates
	// leadPosition discounts a sentence's centrality by its position: news
	// says the essential first, so the i-th sentence's score is divided by
	// 1 + leadPosition·i.
	leadPosition = 0.05
)

// LeadLine returns one line that tells what a is about, at most maxChars
// characters (code points): its summary when it has one, otherwise its most
// representative sentence. That is the sentence most central to the article:
// the one whose index terms (the same analysis as search, in the article's
// language) overlap most with the other sentences', by summed cosine
// similarity, discounted a little the later the sentence comes (news says
// the essential first); the earlier sentence wins a tie. A sentence that only repeats
// the title, a photo caption or a fragment of fewer than four words is
// passed over when another sentence is there. Whitespace is collapsed; text
// longer than maxChars is cut at a word and ends with "…". An article
// without text gives "".
func LeadLine(a Article, maxChars int) string {
	if s := collapseSpace(a.Summary); s != "" {
		return cutChars(s, maxChars)
	}
	sents := bodySentences(a.Body)
	if len(sents) == 0 {
		return ""
	}
	best := centralSentence(sents, languages[NewAnalyzer().ArticleLanguage(a)], a.Title)
	return cutChars(collapseSpace(sents[best]), maxChars)
}

// bodySentences splits body into sentences, paragraph by paragraph, leaving
// out photo captions, at most leadMaxSentences of them.
func bodySentences(body string) []string {
	var out []string
	for para := range strings.SplitSeq(body, "\n") {
		if strings.TrimSpace(para) == "" || isCaption(para) {
			continue
		}
		for _, s := range splitSentences(para, span{0, len(para)}) {
			out = append(out, para[s.start:s.end])
			if len(out) == leadMaxSentences {
				return out
			}
		}
	}
	return out
}

// centralSentence returns the index of the sentence of sents with the
// greatest summed cosine similarity (over sets of index terms) to the
// others, discounted by position, among the candidates (see LeadLine), or 0
// when there is none.
func centralSentence(sents []string, l *language, title string) int {
	terms := make([]map[string]bool, len(sents))
	for i, s := range sents {
		set := map[string]bool{}
		// Exact terms only: a folded term repeats an exact one.
		analyzeTerms(l, s, false, func(term string) { set[term] = true })
		terms[i] = set
	}
	best, bestScore := -1, -1.0
	for i, s := range sents {
		if len(strings.Fields(s)) < leadMinWords || repeatsTitle(s, title) {
			continue
		}
		score := 0.0
		for j := range sents {
			if j != i {
				score += cosine(terms[i], terms[j])
			}
		}
		score /= 1 + leadPosition*float64(i)
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	if best < 0 {
		return 0
	}
	return best
}

// cosine is the cosine similarity of two sets of terms.
func cosine(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(b) < len(a) {
		a, b = b, a
	}
	shared := 0
	for t := range a {
		if b[t] {
			shared++
		}
	}
	return float64(shared) / math.Sqrt(float64(len(a))*float64(len(b)))
}

// repeatsTitle reports whether sentence says no more than title: the same
// words, or (when the title is the sentence's own beginning, cut with "…")
// the same start.
func repeatsTitle(sentence, title string) bool {
	t := strings.ToLower(collapseSpace(title))
	if t == "" {
		return false
	}
	s := strings.ToLower(collapseSpace(sentence))
	if cut, ok := strings.CutSuffix(t, "…"); ok {
		return strings.HasPrefix(s, strings.TrimSpace(cut))
	}
	return strings.TrimRight(s, ".!?…") == strings.TrimRight(t, ".!?…")
}

// collapseSpace trims s and turns every run of white space into one space.
func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// cutChars shortens s to at most max code points, cutting at a word when
// one ends in the second half, and ending it with "…" when anything was cut.
func cutChars(s string, max int) string {
	if max <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	const ellipsis = "…"
	end := 0 // byte offset of the (max-1)th code point: room for the ellipsis
	for range max - 1 {
		_, n := utf8.DecodeRuneInString(s[end:])
		end += n
	}
	head := s[:end]
	if i := strings.LastIndexFunc(head, unicode.IsSpace); i > len(head)/2 {
		// Cut at the last space, unless the next character starts a word
		// anyway (the cut fell exactly between words).
		if next, _ := utf8.DecodeRuneInString(s[end:]); !unicode.IsSpace(next) {
			head = head[:i]
		}
	}
	return strings.TrimRight(head, " ,;:-–—") + ellipsis
}
