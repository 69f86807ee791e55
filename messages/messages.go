// Package messages holds what baobot says to people, in Vietnamese and
// English, so that the terminal and Discord say the same thing the same way.
package messages

import (
	"errors"
	"fmt"
	"strings"

	"github.com/baobot/baobot/retrieval"
)

// Lang is the language of a message: Vietnamese or English.
type Lang string

// The languages baobot speaks.
const (
	Vietnamese Lang = "vi"
	English    Lang = "en"
)

// ForLocale picks the language for a locale tag such as "vi" or "en-US":
// Vietnamese for Vietnamese, English otherwise.
func ForLocale(tag string) Lang {
	if code, _ := retrieval.SupportedLanguage(tag); code == "vi" {
		return Vietnamese
	}
	return English
}

// ForText picks the language to answer text in: Vietnamese when text reads
// as Vietnamese (with or without accents), else fallback.
func ForText(text string, fallback Lang) Lang {
	if strings.TrimSpace(text) == "" {
		return fallback
	}
	code, ok := retrieval.DetectLanguage(text)
	switch {
	case code == "vi" && ok:
		return Vietnamese
	case ok:
		return English
	}
	return fallback
}

// Key names a message.
type Key int

// The messages.
const (
	NotConfident Key = iota
	NoResults
	QuestionEmpty
	QuestionTooLong
	QuestionNoWords
	PassageLabel
	SourceLabel
	ClosestArticles
	TryOtherWords
	NeedsReindex
	Internal
)

var catalog = map[Key][2]string{ // [Vietnamese, English]
	NotConfident: {"Không tìm thấy đoạn nào trả lời chắc chắn câu hỏi này. Các đoạn gần nhất:",
		"Nothing in the collection answers this confidently. The closest passages:"},
	NoResults: {"Không có bài báo nào khớp với câu hỏi này.",
		"No article matches this question."},
	QuestionEmpty: {"Câu hỏi đang trống: hãy viết một câu hỏi, ví dụ \"Ngoại trưởng Mỹ là ai?\"",
		"The question is empty: write a question, for example \"Who is the US Secretary of State?\""},
	QuestionTooLong: {"Câu hỏi quá dài (%d ký tự, tối đa %d): hãy rút gọn lại.",
		"The question is too long (%d characters, at most %d): please shorten it."},
	QuestionNoWords: {"Câu hỏi không có chữ nào để tìm: hãy viết bằng chữ.",
		"The question has no words to search for: please write it in words."},
	PassageLabel:    {"đoạn %d", "passage %d"},
	SourceLabel:     {"Nguồn", "Source"},
	ClosestArticles: {"Bài gần nhất", "Closest articles"},
	TryOtherWords: {"Hãy thử /search hoặc diễn đạt bằng từ khác.",
		"Try /search or other words."},
	NeedsReindex: {"Cơ sở dữ liệu được tạo bằng quy tắc phân tích cũ: hãy chạy `baobot reindex`.",
		"The database was built with older analysis rules: run `baobot reindex`."},
	Internal: {"Đã có lỗi khi trả lời; vui lòng thử lại sau.",
		"Something went wrong while answering; please try again later."},
}

// Get returns message k in lang, formatted with args.
func Get(lang Lang, k Key, args ...any) string {
	m := catalog[k]
	text := m[1]
	if lang == Vietnamese {
		text = m[0]
	}
	if len(args) > 0 {
		return fmt.Sprintf(text, args...)
	}
	return text
}

// QuestionProblem returns the message for a question that cannot be asked,
// or "" when err is not a *retrieval.QuestionError.
func QuestionProblem(lang Lang, question string, err error) string {
	var qe *retrieval.QuestionError
	if !errors.As(err, &qe) {
		return ""
	}
	switch qe.Reason {
	case retrieval.ReasonEmpty:
		return Get(lang, QuestionEmpty)
	case retrieval.ReasonTooLong:
		return Get(lang, QuestionTooLong, len([]rune(strings.TrimSpace(question))), qe.Limit)
	default:
		return Get(lang, QuestionNoWords)
	}
}
