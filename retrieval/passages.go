package retrieval

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Passage sizes, in bytes of UTF-8 text. A paragraph up to maxPassage is one
// passage; a longer one (real news bodies often arrive as one long
// paragraph) is cut between sentences into passages of about
// targetPassage. A line shorter than minPassage (a photo caption, a
// dateline) is merged into its neighbour so that it never stands alone.
const (
	minPassage    = 120
	targetPassage = 1500
	maxPassage    = 2400
)

// span is a byte range [start, end) of a text.
type span struct{ start, end int }

// splitPassages cuts text into the spans passages are made of.
func splitPassages(text string) []span {
	var paras []span
	for start := 0; start < len(text); {
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		if p := trimSpan(text, span{start, end}); p.end > p.start {
			paras = append(paras, p)
		}
		start = end + 1
	}

	// Merge short lines into the following paragraph (the last one into the
	// previous), so captions and datelines never form passages of their own.
	var merged []span
	pending := -1 // start of short lines waiting for a paragraph
	for _, p := range paras {
		if pending < 0 {
			pending = p.start
		}
		if p.end-p.start < minPassage || isCaption(text[p.start:p.end]) {
			continue
		}
		merged = append(merged, span{pending, p.end})
		pending = -1
	}
	if pending >= 0 {
		if n := len(merged); n > 0 {
			merged[n-1].end = paras[len(paras)-1].end
		} else {
			merged = append(merged, span{pending, paras[len(paras)-1].end})
		}
	}

	var out []span
	for _, p := range merged {
		if p.end-p.start <= maxPassage {
			out = append(out, p)
			continue
		}
		out = append(out, packSentences(text, splitSentences(text, p))...)
	}
	return out
}

// packSentences groups consecutive sentences into passages of about
// targetPassage bytes, never cutting inside a sentence. A last group that
// would be short joins the previous one.
func packSentences(text string, sents []span) []span {
	var out []span
	cur := span{-1, -1}
	for _, s := range sents {
		switch {
		case cur.start < 0:
			cur = s
		case s.end-cur.start <= targetPassage:
			cur.end = s.end
		default:
			out = append(out, cur)
			cur = s
		}
	}
	if cur.start >= 0 {
		if n := len(out); n > 0 && cur.end-cur.start < minPassage*2 && cur.end-out[n-1].start <= maxPassage {
			out[n-1].end = cur.end
		} else {
			out = append(out, cur)
		}
	}
	return out
}

// FirstSentence returns the first sentence of paragraph, by the same rules
// that split passages into sentences.
func FirstSentence(paragraph string) string {
	sents := splitSentences(paragraph, span{0, len(paragraph)})
	if len(sents) == 0 {
		return ""
	}
	return paragraph[sents[0].start:sents[0].end]
}

// IsCaption reports whether a line reads like a photo caption or a credit
// rather than article text ("… (Nguồn: Kyodo News) |").
func IsCaption(line string) bool { return isCaption(line) }

func isCaption(line string) bool {
	l := strings.TrimSpace(line)
	return strings.HasSuffix(l, "|") || strings.HasPrefix(l, "Ảnh:") || strings.HasPrefix(l, "Ảnh minh họa")
}

func trimSpan(text string, s span) span {
	for s.start < s.end {
		r, n := utf8.DecodeRuneInString(text[s.start:])
		if !unicode.IsSpace(r) {
			break
		}
		s.start += n
	}
	for s.end > s.start {
		r, n := utf8.DecodeLastRuneInString(text[:s.end])
		if !unicode.IsSpace(r) {
			break
		}
		s.end -= n
	}
	return s
}

// abbreviations end with a period that does not end a sentence.
var abbreviations = setOf(
	"tp", "ths", "ts", "pgs", "gs", "bs", "ks", "ls", "q", "p", "mr", "mrs", "ms", "dr",
	"st", "jr", "sr", "vs", "etc", "no", "nr", "inc", "ltd", "co", "corp", "u.s", "e.g", "i.e",
	"sr", "sra", "dña", "ud", "г", "гг", "т.е", "т.д", "ул", "им",
)

// splitSentences cuts the span p of text into sentences. A sentence ends at
// ".", "!", "?" or "…" (with any closing quotes or brackets) followed by a
// space and a capital, digit or opening quote, or glued directly to a
// capital after a lower-case letter ("Washington.Thủ tướng", as scraped news
// often has), or at a line break. Abbreviations and decimals do not end one.
func splitSentences(text string, p span) []span {
	var out []span
	start := p.start
	emit := func(end int) {
		if s := trimSpan(text, span{start, end}); s.end > s.start {
			out = append(out, s)
		}
		start = end
	}
	for i := p.start; i < p.end; {
		if !mayEndSentence(text[i]) {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		if r == '\n' {
			emit(i)
			i += n
			continue
		}
		if !(r == '.' || r == '!' || r == '?' || r == '…') {
			i += n
			continue
		}
		j := i + n
		for j < p.end {
			c, m := utf8.DecodeRuneInString(text[j:])
			if c == '.' || c == '!' || c == '?' || c == '"' || c == '\'' || c == '”' || c == '’' || c == ')' || c == '»' || c == ']' {
				j += m
				continue
			}
			break
		}
		if j >= p.end {
			break
		}
		next, _ := utf8.DecodeRuneInString(text[j:])
		prev, _ := utf8.DecodeLastRuneInString(text[:i])
		ends := false
		switch {
		case unicode.IsSpace(next):
			k := j
			for k < p.end {
				c, m := utf8.DecodeRuneInString(text[k:])
				if !unicode.IsSpace(c) {
					break
				}
				k += m
			}
			after, _ := utf8.DecodeRuneInString(text[k:])
			ends = k < p.end && startsSentence(after) && !(r == '.' && isAbbreviation(text[start:i]))
		case r == '.' && unicode.IsUpper(next) && unicode.IsLower(prev):
			ends = !isAbbreviation(text[start:i])
		}
		if ends {
			emit(j)
		}
		i = j
	}
	emit(p.end)
	return out
}

// mayEndSentence reports whether byte c may start a rune that ends a
// sentence: '\n', '.', '!', '?' or the first byte of '…'. None of these is
// a continuation byte, so decoding text rune by rune reaches each of them:
// splitSentences steps over every other byte alone.
func mayEndSentence(c byte) bool {
	return c == '\n' || c == '.' || c == '!' || c == '?' || c == "…"[0]
}

func startsSentence(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsDigit(r) || strings.ContainsRune("\"'“‘«([-–—•", r)
}

// isAbbreviation reports whether the text before a period ends with an
// abbreviation or a lone capital initial ("J. Biden").
func isAbbreviation(before string) bool {
	i := strings.LastIndexFunc(before, func(r rune) bool { return unicode.IsSpace(r) || r == '(' })
	word := before[i+1:]
	if word == "" {
		return false
	}
	if utf8.RuneCountInString(word) == 1 {
		r, _ := utf8.DecodeRuneInString(word)
		return unicode.IsUpper(r)
	}
	return abbreviations[strings.ToLower(word)]
}
