package messages

import (
	"errors"

	"github.com/baobot/baobot/digest/schedule"
)

// What baobot says about digests, merged into the catalog at start.
var digestCatalog = map[Key][2]string{ // [Vietnamese, English]
	DigestTitle:     {"Bài báo mới (%d)", "New articles (%d)"},
	DigestSince:     {"Các bài thêm từ %s", "Added since %s"},
	DigestFromStart: {"Tất cả các bài trong bộ sưu tập", "Every article in the collection"},
	DigestMore:      {"… và %d bài khác", "… and %d more"},
	DigestEmpty:     {"Không có bài báo mới nào kể từ bản tin trước.", "No new articles since the last digest."},
	DigestContinued: {"Bài báo mới (tiếp theo, %d/%d)", "New articles (continued, %d/%d)"},

	DigestSubscribed: {"Đã đăng ký bản tin cho %s: %s (%s), tối đa %d bài. Bản tin đầu tiên: %s.",
		"%s now gets a digest: %s (%s), at most %d articles. First digest: %s."},
	DigestResubscribed: {"Đã cập nhật bản tin của %s: %s (%s), tối đa %d bài. Bản tin tiếp theo: %s.",
		"Updated the digest of %s: %s (%s), at most %d articles. Next digest: %s."},
	DigestUnsubscribed:  {"Đã hủy bản tin của %s.", "%s no longer gets a digest."},
	DigestNotSubscribed: {"%s chưa đăng ký bản tin nào.", "%s has no digest."},
	DigestConfigured: {"Bản tin của %s được đặt trong tệp cấu hình của baobot: hãy sửa ở đó.",
		"The digest of %s is set in baobot's configuration file: change it there."},
	DigestBadMax: {"Số bài tối đa phải từ 1 đến %d.", "max must be from 1 to %d."},
	DigestCannotPost: {"Mình không đăng được vào %s: hãy cấp cho mình quyền Xem kênh, Gửi tin nhắn và Nhúng liên kết ở đó rồi đăng ký lại. Chưa có gì được lưu.",
		"I can't post in %s: give me the View Channel, Send Messages and Embed Links permissions there, then subscribe again. Nothing was saved."},
	DigestUnknownChannel: {"Mình không thấy kênh %s. Chưa có gì được lưu.", "I can't see the channel %s. Nothing was saved."},
	DigestNotText:        {"%s không phải kênh văn bản. Chưa có gì được lưu.", "%s is not a text channel. Nothing was saved."},
	DigestOtherGuild:     {"Hãy chọn một kênh của máy chủ này.", "Choose a channel of this server."},

	DigestListTitle:      {"Bản tin đã đăng ký", "Digests"},
	DigestListEmpty:      {"Chưa có kênh nào nhận bản tin. Dùng /digest subscribe để đăng ký.", "No channel gets a digest yet. Use /digest subscribe."},
	DigestListNext:       {"tiếp theo %s", "next %s"},
	DigestListLast:       {"lần trước %s (%d bài)", "last %s (articles: %d)"},
	DigestListNever:      {"chưa gửi lần nào", "not posted yet"},
	DigestListPaused:     {"⏸ TẠM DỪNG sau %d lần gửi lỗi: %s. Đăng ký lại để tiếp tục.", "⏸ PAUSED after %d failed attempts: %s. Subscribe again to resume."},
	DigestListFailing:    {"⚠ lần gửi trước bị lỗi: %s", "⚠ the last attempt failed: %s"},
	DigestListFromConfig: {"từ tệp cấu hình", "from the configuration file"},

	DigestPostedNow:     {"Đã đăng bản tin vào %s (%d bài).", "Posted the digest in %s (articles: %d)."},
	DigestNothingNew:    {"Không có bài mới cho %s kể từ bản tin trước: không đăng gì.", "No new articles for %s since its last digest: nothing posted."},
	DigestPostFailed:    {"Không đăng được bản tin vào %s: %s.", "Could not post the digest in %s: %s."},
	DigestPreviewNext:   {"Xem trước bản tin tiếp theo của %s, nếu đăng ngay bây giờ:", "Preview of the next digest of %s, if it were posted now:"},
	DigestPreviewRecent: {"Xem trước: các bài thêm trong %d giờ qua (kênh này chưa đăng ký bản tin).", "Preview: the articles added in the last %d hours (this channel has no digest)."},
	DigestDisabled:      {"Bản tin chưa được bật trên baobot này.", "Digests are not enabled on this baobot."},

	DigestReasonGone:      {"kênh không còn tồn tại", "the channel no longer exists"},
	DigestReasonForbidden: {"mình không còn quyền đăng vào kênh", "I lost the permission to post there"},
	DigestReasonOther:     {"Discord báo lỗi", "Discord answered an error"},

	ScheduleBad: {"Lịch %s không hợp lệ. Hãy dùng \"daily 08:00\" (hằng ngày), \"weekdays 18:30\" (thứ Hai đến thứ Sáu), \"hourly\" (mỗi giờ) hoặc một biểu thức cron 5 trường như \"0 8 * * 1-5\".",
		"The schedule %s is not valid. Use \"daily 08:00\" (every day), \"weekdays 18:30\" (Monday to Friday), \"hourly\" (every hour) or a 5-field cron expression such as \"0 8 * * 1-5\"."},
	ScheduleBadTime: {"Lịch %s cần giờ dạng 24 giờ HH:MM, ví dụ \"daily 08:00\" hoặc \"weekdays 18:30\".",
		"The schedule %s needs a 24-hour time HH:MM, such as \"daily 08:00\" or \"weekdays 18:30\"."},
	ScheduleNamesZone: {"Lịch %s không được ghi múi giờ: hãy dùng tùy chọn timezone, ví dụ \"Asia/Ho_Chi_Minh\".",
		"The schedule %s must not name a time zone: use the timezone option, such as \"Asia/Ho_Chi_Minh\"."},
	ScheduleNoSlots: {"Lịch %s không bao giờ đến giờ chạy. Hãy dùng dạng như \"daily 08:00\" hoặc \"0 8 * * 1-5\".",
		"The schedule %s never comes round. Use a form such as \"daily 08:00\" or \"0 8 * * 1-5\"."},
	ScheduleBadZone: {"Múi giờ %s không hợp lệ. Hãy dùng tên múi giờ IANA, ví dụ \"Asia/Ho_Chi_Minh\" hoặc \"Europe/Berlin\".",
		"The time zone %s is not valid. Use an IANA time zone name, such as \"Asia/Ho_Chi_Minh\" or \"Europe/Berlin\"."},
}

func init() {
	for k, m := range digestCatalog {
		catalog[k] = m
	}
}

// ScheduleProblem returns the message for a schedule or time zone that
// cannot be used, naming the input with quote (which should make it safe
// to show), or "" when err is not a *schedule.Error.
func ScheduleProblem(lang Lang, err error, quote func(string) string) string {
	var se *schedule.Error
	if !errors.As(err, &se) {
		return ""
	}
	key, ok := map[schedule.Reason]Key{
		schedule.BadSchedule: ScheduleBad, schedule.BadTime: ScheduleBadTime, schedule.NamesZone: ScheduleNamesZone,
		schedule.NoSlots: ScheduleNoSlots, schedule.BadZone: ScheduleBadZone,
	}[se.Reason]
	if !ok {
		key = ScheduleBad
	}
	return Get(lang, key, quote(se.Input))
}
