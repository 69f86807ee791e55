package retrieval

import (
	"math"
	"strings"
)

// Where a snippet's room goes around the question's words: answers follow
// the words a question repeats more often than they precede them, so by
// default a little over a third of the room goes before them.
const (
	defaultBefore = 0.35
	// sideLean is the range over which a Vietnamese question's word order
	// moves that share: from 1/2 - sideLean/2 (question word last) to
	// 1/2 + sideLean/2 (question word first).
	sideLean = 0.6
)

// viInterrogatives are the Vietnamese words that stand where the answer
// would: Vietnamese keeps the question word in place ("Ai dẫn đầu đội?" is
// answered "Short dẫn đầu đội"), so where it sits among the question's
// words tells on which side of the matched words the answer lies. "Sao"
// ("tại sao", "vì sao": why) is left out: it stands first while the reason
// follows what it explains.
var viInterrogatives = setOf("ai", "gì", "nào", "đâu", "bao", "mấy")

// answerBefore returns the share of a snippet's spare room to give to the
// text before the question's words. For a Vietnamese question it follows
// the share of the question's content words after its question word (all
// after: the answer comes first); otherwise it is defaultBefore.
func answerBefore(q query) float64 {
	if !hasSyllables(q) {
		return defaultBefore
	}
	toks := tokenize(q.text)
	words := make([]string, len(toks))
	at := -1
	for i, t := range toks {
		words[i] = strings.ToLower(q.text[t.start:t.end])
		if at < 0 && viInterrogatives[words[i]] {
			at = i
		}
	}
	if at < 0 {
		return defaultBefore
	}
	var ahead, behind int
	for i, w := range words {
		if viQuestionWords[w] {
			continue
		}
		if i < at {
			ahead++
		} else if i > at {
			behind++
		}
	}
	if ahead+behind == 0 {
		return defaultBefore
	}
	return 0.5 - sideLean/2 + sideLean*float64(behind)/float64(ahead+behind)
}

// hasSyllables reports whether q is read as a language written in
// syllables (Vietnamese), whose phrases phraseWeight counts.
func hasSyllables(q query) bool {
	for _, w := range q.words {
		if w.lang.pairs {
			return true
		}
	}
	return false
}

// phraseWeight sums, over the distinct pairs of successive Vietnamese
// question words found side by side in w in the question's order, the
// smaller weight of the two: a phrase of the question quoted in the
// passage, as the index's syllable pairs are for ranking. best is scratch
// space, one per question word.
func phraseWeight(toks []markedToken, w span, q query, best []float64) float64 {
	clear(best)
	toks = within(toks, w)
	for i := 1; i < len(toks); i++ {
		a, b := toks[i-1], toks[i]
		if a.word < 0 || b.word != a.word+1 || !b.joined {
			continue
		}
		if l := q.words[a.word].lang; !l.pairs || q.words[b.word].lang != l {
			continue
		}
		if v := min(a.value, b.value); v > best[a.word] {
			best[a.word] = v
		}
	}
	var s float64
	for _, v := range best {
		s += v
	}
	return s
}

// localRarity returns, per question word, how rare it is among the
// passage's sentences: log(1+n/f)/log(1+n) for a word in f of n sentences,
// 1 for a word in one sentence (or absent), less for one in many. A word the
// whole passage repeats (its topic) tells its sentences apart less than one
// only a sentence or two hold.
func localRarity(toks []markedToken, sents []span, nWords int) []float64 {
	in := make([]int, nWords)   // sentences holding the word
	last := make([]int, nWords) // the last sentence counted, +1
	si := 0
	for _, t := range toks {
		for si < len(sents) && t.start >= sents[si].end {
			si++
		}
		if t.word >= 0 && last[t.word] != si+1 {
			last[t.word] = si + 1
			in[t.word]++
		}
	}
	n := float64(len(sents))
	out := make([]float64, nWords)
	for i, f := range in {
		out[i] = 1
		if f > 0 && n > 1 {
			out[i] = math.Log(1+n/float64(f)) / math.Log(1+n)
		}
	}
	return out
}
