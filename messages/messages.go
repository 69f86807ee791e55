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
	ReadAs
	NeedsReindex
	Internal

	// What the Discord bot says besides answers.
	AnswerPage
	MoreResults
	NoMoreResults
	AnswerExpired
	NotConfidentShort
	FeedbackThanks
	RateLimited
	MentionEmpty
	ShuttingDown
	CannotPostHere
	UnknownCommand
	AdminOnly
	GuildOnly
	AddNoFile
	AddUnsupported
	AddTooLarge
	AddDownloadFailed
	AddSummary
	AddAnswerable
	AddFailedItem
	ReasonUnsupported
	ReasonEmpty
	ReasonTooLarge
	ReasonNotText
	ReasonMalformed
	ReasonTruncated
	ReasonInvalid
	Removed
	NoSuchArticle
	ArticlesHeader
	ArticlesPage
	ArticlesEmpty
	PublishedLabel
	PassagesLabel
	IDLabel
	SearchTitle
	HelpTitle
	HelpIntro
	HelpMessages
	AboutTitle
	AboutCollection
	AboutCollectionSize
	AboutVersion
	AboutUptime
	AboutFeedback

	// Digests: the texts are in digest.go.
	DigestTitle
	DigestSince
	DigestFromStart
	DigestMore
	DigestEmpty
	DigestContinued
	DigestSubscribed
	DigestResubscribed
	DigestUnsubscribed
	DigestNotSubscribed
	DigestConfigured
	DigestBadMax
	DigestCannotPost
	DigestUnknownChannel
	DigestNotText
	DigestOtherGuild
	DigestListTitle
	DigestListEmpty
	DigestListNext
	DigestListLast
	DigestListNever
	DigestListPaused
	DigestListFailing
	DigestListFromConfig
	DigestPostedNow
	DigestNothingNew
	DigestPostFailed
	DigestPreviewNext
	DigestPreviewRecent
	DigestDisabled
	DigestReasonGone
	DigestReasonForbidden
	DigestReasonOther
	ScheduleBad
	ScheduleBadTime
	ScheduleNamesZone
	ScheduleNoSlots
	ScheduleBadZone

	keyCount // the number of keys; keep it last
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
	ReadAs: {"Không bài nào có từ “%s”: đã tìm “%s”.",
		"No article has the word “%s”: searched for “%s” instead."},
	NeedsReindex: {"Cơ sở dữ liệu được tạo bằng quy tắc phân tích cũ: hãy chạy `baobot reindex`.",
		"The database was built with older analysis rules: run `baobot reindex`."},
	Internal: {"Đã có lỗi khi trả lời; vui lòng thử lại sau.",
		"Something went wrong while answering; please try again later."},

	AnswerPage:    {"Kết quả %d–%d", "Results %d–%d"},
	MoreResults:   {"Thêm kết quả", "More results"},
	NoMoreResults: {"Không còn kết quả nào khác cho câu hỏi này.", "There are no more results for this question."},
	AnswerExpired: {"Câu trả lời này đã quá cũ: hãy hỏi lại.", "This answer is too old to continue: please ask again."},
	NotConfidentShort: {"Không có bài nào trong bộ sưu tập trả lời tốt câu hỏi này.",
		"Nothing in the collection answers this well."},
	FeedbackThanks: {"Cảm ơn bạn đã góp ý!", "Thanks for your feedback!"},
	RateLimited: {"Bạn hỏi hơi nhanh: hãy thử lại sau %d giây.",
		"You are asking a little fast: please try again in %d s."},
	MentionEmpty: {"Hãy viết câu hỏi ngay sau khi nhắc đến mình, ví dụ: @baobot Ngoại trưởng Mỹ là ai?",
		"Write your question right after mentioning me, for example: @baobot Who is the US Secretary of State?"},
	ShuttingDown: {"baobot đang khởi động lại: hãy thử lại sau ít phút.",
		"baobot is restarting: please try again in a minute."},
	CannotPostHere: {"Mình không có quyền gửi tin nhắn trong kênh đó. Hãy nhờ quản trị viên cấp quyền Gửi tin nhắn, hoặc nhắn riêng cho mình.",
		"I can't post in that channel. Ask an admin to give me the Send Messages permission there, or message me directly."},
	UnknownCommand: {"Lệnh này không còn nữa: hãy gõ / để xem các lệnh hiện có.",
		"This command no longer exists: type / to see the current ones."},
	AdminOnly: {"Xin lỗi, chỉ thành viên có quyền Quản lý máy chủ mới dùng được lệnh này.",
		"Sorry, only members with the Manage Server permission can use this command."},
	GuildOnly:      {"Lệnh này chỉ dùng được trong máy chủ.", "This command works only in a server."},
	AddNoFile:      {"Hãy đính kèm một tệp bài báo.", "Attach an article file."},
	AddUnsupported: {"Không đọc được %s: chỉ nhận các tệp %s.", "Cannot read %s: only %s files are accepted."},
	AddTooLarge:    {"%s quá lớn: tối đa %s.", "%s is too large: at most %s."},
	AddDownloadFailed: {"Không tải được %s từ Discord: hãy thử lại.",
		"Could not download %s from Discord: please try again."},
	AddSummary:        {"%s: thêm %d, thay thế %d, không đổi %d, lỗi %d.", "%s: added %d, replaced %d, unchanged %d, failed %d."},
	AddAnswerable:     {"Có thể hỏi về các bài này ngay bây giờ.", "These articles can be asked about right away."},
	AddFailedItem:     {"Không thêm được:", "Not added:"},
	ReasonUnsupported: {"loại tệp không được hỗ trợ", "unsupported file type"},
	ReasonEmpty:       {"không có nội dung", "no text"},
	ReasonTooLarge:    {"quá lớn", "too large"},
	ReasonNotText:     {"không phải văn bản UTF-8", "not UTF-8 text"},
	ReasonMalformed:   {"sai định dạng", "malformed"},
	ReasonTruncated:   {"bị cắt cụt hoặc hỏng", "truncated or corrupt"},
	ReasonInvalid:     {"bài không hợp lệ", "invalid article"},
	Removed:           {"Đã xóa bài %s.", "Removed article %s."},
	NoSuchArticle:     {"Không có bài nào có mã %s.", "No article has the id %s."},
	ArticlesHeader:    {"%d bài báo", "%d articles"},
	ArticlesPage:      {"Trang %d/%d", "Page %d of %d"},
	ArticlesEmpty:     {"Chưa có bài báo nào.", "The collection is empty."},
	PublishedLabel:    {"Ngày đăng", "Published"},
	PassagesLabel:     {"Số đoạn", "Passages"},
	IDLabel:           {"Mã", "ID"},
	SearchTitle:       {"Tìm: %s", "Search: %s"},
	HelpTitle:         {"baobot: trợ giúp", "baobot: help"},
	HelpIntro: {"baobot trả lời câu hỏi về các bài báo bằng cách trích nguyên văn: mỗi câu trả lời là một đoạn của bài, các từ khớp được in đậm, kèm nguồn.",
		"baobot answers questions about news articles by quoting them: every answer is a passage of an article, the matched words in bold, with its source."},
	HelpMessages: {"Bạn cũng có thể nhắn riêng cho mình một câu hỏi, hoặc viết @baobot và câu hỏi trong một kênh.",
		"You can also send me a question in a direct message, or write @baobot and your question in a channel."},
	AboutTitle:          {"Về baobot", "About baobot"},
	AboutCollection:     {"Bộ sưu tập", "Collection"},
	AboutCollectionSize: {"%d bài báo, %d đoạn", "%d articles, %d passages"},
	AboutVersion:        {"Phiên bản", "Version"},
	AboutUptime:         {"Thời gian chạy", "Uptime"},
	AboutFeedback:       {"Góp ý", "Feedback"},
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
