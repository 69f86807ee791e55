// Package testcorpus generates small news-like articles for tests that need
// many of them (the crash and load tests): Vietnamese and English news words,
// so that the analysis has syllable pairs, folded forms and stems to index.
package testcorpus

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/baobot/baobot/retrieval"
)

// words are what the generated articles are made of.
var words = strings.Fields(`Hà Nội Thành phố Hồ Chí Minh Đà Nẵng Huế chính phủ thủ tướng
bộ trưởng kinh tế xuất khẩu giá vàng lãi suất ngân hàng mưa lớn bão lũ học sinh
trường đại học bệnh viện bác sĩ giao thông đường sắt cao tốc sân bay hợp tác
hòa bình thủy điện điện lực năng lượng mặt trời nông dân lúa gạo cà phê du lịch
the government said on Monday that prices rose in March while exports fell
storm flooding schools hospitals railway airport energy solar farmers coffee`)

// Articles returns n articles drawn from rng, with IDs idPrefix-00000,
// idPrefix-00001, … and the given source: a title of 3 to 8 words and one to
// three paragraphs of two sentences. The same rng state gives the same
// articles.
func Articles(rng *rand.Rand, n int, idPrefix, source string) []retrieval.Article {
	sentence := func(min, max int) string {
		ws := make([]string, min+rng.IntN(max-min+1))
		for i := range ws {
			ws[i] = words[rng.IntN(len(words))]
		}
		first, size := utf8.DecodeRuneInString(ws[0])
		ws[0] = string(unicode.ToUpper(first)) + ws[0][size:]
		return strings.Join(ws, " ") + "."
	}
	out := make([]retrieval.Article, n)
	for i := range out {
		var paras []string
		for range 1 + rng.IntN(3) {
			paras = append(paras, sentence(6, 14)+" "+sentence(6, 14))
		}
		out[i] = retrieval.Article{
			ID:     fmt.Sprintf("%s-%05d", idPrefix, i),
			Title:  strings.TrimSuffix(sentence(3, 8), "."),
			Source: source,
			Body:   strings.Join(paras, "\n"),
		}
	}
	return out
}
