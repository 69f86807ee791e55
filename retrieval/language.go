package retrieval

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/abadojack/whatlanggo"
	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/french"
	"github.com/kljensen/snowball/hungarian"
	"github.com/kljensen/snowball/norwegian"
	"github.com/kljensen/snowball/russian"
	"github.com/kljensen/snowball/spanish"
	"github.com/kljensen/snowball/swedish"
)

// Vietnamese is the language baobot is built for first; it is also the
// analysis used when a language cannot be told.
const Vietnamese = "vi"

// language is one analysis: how words of a language become terms.
type language struct {
	code     string
	detect   whatlanggo.Lang
	stem     func(word string, stemStopWords bool) string // nil: no stemming
	stopword func(word string) bool                       // words neither indexed nor searched (nil: none)
	question map[string]bool                              // question words: not content in a question
	pairs    bool                                         // index adjacent-word pairs (Vietnamese syllables)
}

// languages are the analyses baobot has: Vietnamese, and every language the
// Snowball library stems.
var languages = map[string]*language{
	Vietnamese: {code: Vietnamese, detect: whatlanggo.Vie, question: viQuestionWords, pairs: true},
	"en":       {code: "en", detect: whatlanggo.Eng, stem: english.Stem, stopword: english.IsStopWord, question: questionWords["en"]},
	"es":       {code: "es", detect: whatlanggo.Spa, stem: spanish.Stem, stopword: spanish.IsStopWord, question: questionWords["es"]},
	"fr":       {code: "fr", detect: whatlanggo.Fra, stem: french.Stem, stopword: french.IsStopWord, question: questionWords["fr"]},
	"ru":       {code: "ru", detect: whatlanggo.Rus, stem: russian.Stem, stopword: russian.IsStopWord, question: questionWords["ru"]},
	"sv":       {code: "sv", detect: whatlanggo.Swe, stem: swedish.Stem, stopword: swedish.IsStopWord},
	"no":       {code: "no", detect: whatlanggo.Nob, stem: norwegian.Stem, stopword: norwegian.IsStopWord},
	"hu":       {code: "hu", detect: whatlanggo.Hun, stem: hungarian.Stem, stopword: hungarian.IsStopWord},
}

// questionWords are, per language, the words that make a sentence a
// question rather than say what it is about; Snowball's stop word lists lack
// most of them.
var questionWords = map[string]map[string]bool{
	"en": setOf("who", "whom", "whose", "what", "which", "when", "where", "why", "how", "many", "much"),
	"es": setOf("qué", "cuál", "cuáles", "cuánto", "cuánta", "cuántos", "cuántas", "quién", "quiénes",
		"dónde", "cuándo", "cómo", "que", "cual", "cuales", "cuanto", "cuanta", "cuantos", "cuantas",
		"quien", "quienes", "donde", "cuando", "como"),
	"fr": setOf("qui", "que", "quoi", "quel", "quelle", "quels", "quelles", "quand", "où", "comment",
		"pourquoi", "combien", "lequel", "laquelle"),
	"ru": setOf("кто", "кого", "кому", "кем", "ком", "что", "чего", "чему", "чем", "чём",
		"какой", "какая", "какое", "какие", "какого", "какому", "каким", "каком", "какую", "каких", "какими",
		"каков", "какова", "каково", "каковы", "когда", "где", "куда", "откуда", "почему", "зачем", "как",
		"сколько", "скольких", "скольким", "чей", "чья", "чьё", "чье", "чьи", "чьего", "чьей", "чьему",
		"чьим", "чьих", "чью", "ли"),
}

// languageAliases maps other spellings of a language code to ours.
var languageAliases = map[string]string{
	"vie": "vi", "vietnamese": "vi", "tiếng việt": "vi",
	"eng": "en", "english": "en", "spa": "es", "spanish": "es",
	"fra": "fr", "fre": "fr", "french": "fr", "rus": "ru", "russian": "ru",
	"swe": "sv", "swedish": "sv", "nb": "no", "nn": "no", "nor": "no", "norwegian": "no",
	"hun": "hu", "hungarian": "hu",
}

// SupportedLanguage returns baobot's code for a language tag such as "vi",
// "en-US" or "Spanish", and whether baobot has an analysis for it.
func SupportedLanguage(tag string) (string, bool) {
	t := strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(t, "-_"); i > 0 {
		t = t[:i]
	}
	if a, ok := languageAliases[t]; ok {
		t = a
	}
	_, ok := languages[t]
	return t, ok
}

var detectOptions = func() whatlanggo.Options {
	white := make(map[whatlanggo.Lang]bool)
	for _, l := range languages {
		white[l.detect] = true
	}
	return whatlanggo.Options{Whitelist: white}
}()

// DetectLanguage guesses the language of text among baobot's analyses. ok is
// false when the guess is not reliable (short or mixed text); the code is
// then the best guess, Vietnamese when there is none.
func DetectLanguage(text string) (code string, ok bool) { return detectLanguage(text) }

func detectLanguage(text string) (code string, ok bool) {
	if len(text) > 4000 {
		cut := 4000
		for cut > 0 && !isRuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	if looksVietnamese(text) || looksUnaccentedVietnamese(text) {
		return Vietnamese, true
	}
	info := whatlanggo.DetectWithOptions(text, detectOptions)
	for code, l := range languages {
		if l.detect == info.Lang {
			return code, info.IsReliable() || info.Confidence >= 0.5
		}
	}
	return Vietnamese, false
}

// looksVietnamese reports whether text has letters only Vietnamese uses
// (ă, ơ, ư, đ, or a tone mark over a circumflex/breve/horn vowel) often
// enough to be Vietnamese rather than another language quoting a name.
func looksVietnamese(text string) bool {
	hits, letters := 0, 0
	for _, r := range text {
		if unicode.IsLetter(r) {
			letters++
		}
		switch r {
		case 'ă', 'ơ', 'ư', 'đ', 'Ă', 'Ơ', 'Ư', 'Đ',
			'ạ', 'ả', 'ấ', 'ầ', 'ẩ', 'ẫ', 'ậ', 'ắ', 'ằ', 'ẳ', 'ẵ', 'ặ',
			'ẹ', 'ẻ', 'ẽ', 'ế', 'ề', 'ể', 'ễ', 'ệ', 'ỉ', 'ị',
			'ọ', 'ỏ', 'ố', 'ồ', 'ổ', 'ỗ', 'ộ', 'ớ', 'ờ', 'ở', 'ỡ', 'ợ',
			'ụ', 'ủ', 'ứ', 'ừ', 'ử', 'ữ', 'ự', 'ỳ', 'ỵ', 'ỷ', 'ỹ', 'ĩ', 'ũ',
			'\u0309', '\u0323', '\u031b', '\u0306': // hook, dot below, horn, breve in NFD input
			hits++
		}
	}
	return hits >= 2 && hits*40 >= letters
}

// viSyllable matches a Vietnamese syllable written without accents: an
// optional onset, one to three vowels, an optional final consonant.
var viSyllable = regexp.MustCompile(`^(ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?$`)

// looksUnaccentedVietnamese reports whether text reads as Vietnamese typed
// without accents ("thu tuong nhat ban"): at least three words, most
// (three in four) of them shaped like Vietnamese syllables. Few English or Spanish sentences
// pass ("how", "many", "points", "did" do not).
func looksUnaccentedVietnamese(text string) bool {
	words, syllables := 0, 0
	for _, t := range tokenize(text) {
		w := text[t.start:t.end]
		if !isASCII(w) {
			return false
		}
		if w[0] >= '0' && w[0] <= '9' {
			continue
		}
		words++
		if viSyllable.MatchString(asciiLower(w)) {
			syllables++
		}
	}
	return words >= 3 && syllables*4 >= words*3
}

// viQuestionWords are Vietnamese question and function words that carry no
// content in a question ("Ngoại trưởng Mỹ là ai?"). Typed without accents
// only those whose folded spelling is nearly always that word count ("ban"
// is also in "Nhật Bản"; "nao" is rarely "não" in a question), so the
// folded spellings listed are few.
var viQuestionWords = setOf(
	"ai", "gì", "nào", "đâu", "sao", "bao", "nhiêu", "mấy", "chăng", "hả", "hử",
	"là", "thì", "có", "không", "được", "bị", "đã", "sẽ", "đang", "vậy", "thế", "nhỉ", "nhé",
	"của", "và", "với", "các", "những", "cái", "này", "kia", "đó", "ấy",
	"hãy", "cho", "biết", "tôi", "mình", "bạn",
	// typed without accents
	"gi", "nao", "nhieu", "la", "khong", "duoc", "cua", "va", "cac", "nhung",
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
