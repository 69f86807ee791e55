package bot

import (
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/baobot/baobot/messages"
)

// The slash commands. Like routes of a net/http mux, each is a name, a
// definition and a handler, in one table; every command is registered with
// Discord and dispatched the same way (interactions.go).

// loc is a text in English, the default, and Vietnamese.
type loc struct{ en, vi string }

// in returns the text in lang.
func (l loc) in(lang messages.Lang) string {
	if lang == messages.Vietnamese {
		return l.vi
	}
	return l.en
}

// viLocalization is the localization map of l: its Vietnamese text.
func (l loc) viLocalization() map[discordgo.Locale]string {
	return map[discordgo.Locale]string{discordgo.Vietnamese: l.vi}
}

// option is an option of a slash command.
type option struct {
	name, desc   loc
	typ          discordgo.ApplicationCommandOptionType
	required     bool
	autocomplete bool
	maxLength    int      // string options; 0: Discord's maximum
	minValue     *float64 // integer options
	options      []option // a sub-command's own options
}

// command is a slash command.
type command struct {
	name, desc loc
	options    []option
	// admin commands need the Manage Server permission: it is declared as
	// their default_member_permissions, so Discord shows them to admins
	// only, and checked again on every use. They work only in servers.
	admin bool
	// handle answers an invocation; it must acknowledge it (see respond).
	handle func(b *Bot, r *request)
	// complete, if set, answers autocomplete on the focused option with at
	// most 25 choices.
	complete func(b *Bot, r *request, typed string) []*discordgo.ApplicationCommandOptionChoice
}

var one = 1.0

// commandTable lists baobot's slash commands in the order /help shows them.
// maxQuestion is the longest question accepted, in characters.
func commandTable(maxQuestion int) []command {
	return []command{
		{
			name: loc{"ask", "hỏi"},
			desc: loc{"Ask a question: the answer quotes the articles", "Đặt câu hỏi: câu trả lời trích nguyên văn các bài báo"},
			options: []option{
				{name: loc{"question", "câu-hỏi"}, desc: loc{"Your question", "Câu hỏi của bạn"},
					typ: discordgo.ApplicationCommandOptionString, required: true, maxLength: maxQuestion},
				{name: loc{"private", "riêng-tư"}, desc: loc{"Show the answer to you only", "Chỉ mình bạn thấy câu trả lời"},
					typ: discordgo.ApplicationCommandOptionBoolean},
			},
			handle: (*Bot).cmdAsk,
		},
		{
			name: loc{"search", "tìm"},
			desc: loc{"Find the articles that match some words", "Tìm các bài báo khớp với vài từ"},
			options: []option{
				{name: loc{"query", "từ-khóa"}, desc: loc{"Words to look for", "Các từ cần tìm"},
					typ: discordgo.ApplicationCommandOptionString, required: true, maxLength: maxQuestion},
			},
			handle: (*Bot).cmdSearch,
		},
		{
			name: loc{"articles", "bài-báo"},
			desc: loc{"List the articles in the collection, newest first", "Liệt kê các bài báo trong bộ sưu tập, mới nhất trước"},
			options: []option{
				{name: loc{"page", "trang"}, desc: loc{"Page of the list", "Trang của danh sách"},
					typ: discordgo.ApplicationCommandOptionInteger, minValue: &one},
			},
			handle: (*Bot).cmdArticles,
		},
		{
			name: loc{"article", "bài"},
			desc: loc{"Show an article: source, link, date and lead", "Xem một bài báo: nguồn, liên kết, ngày đăng và đoạn mở đầu"},
			options: []option{
				{name: loc{"id", "mã"}, desc: loc{"The article: type part of its title", "Bài báo: gõ một phần tiêu đề"},
					typ: discordgo.ApplicationCommandOptionString, required: true, autocomplete: true},
			},
			handle:   (*Bot).cmdArticle,
			complete: (*Bot).completeArticle,
		},
		{
			name:   loc{"help", "trợ-giúp"},
			desc:   loc{"What baobot does and how to use it", "baobot làm gì và cách dùng"},
			handle: (*Bot).cmdHelp,
		},
		{
			name:   loc{"about", "giới-thiệu"},
			desc:   loc{"Collection size, feedback, version and uptime", "Quy mô bộ sưu tập, góp ý, phiên bản và thời gian chạy"},
			handle: (*Bot).cmdAbout,
		},
		{
			name: loc{"add", "thêm"},
			desc: loc{"Add articles from a .txt, .md, .html or .jsonl file", "Thêm bài báo từ tệp .txt, .md, .html hoặc .jsonl"},
			options: []option{
				{name: loc{"file", "tệp"}, desc: loc{"The article file", "Tệp bài báo"},
					typ: discordgo.ApplicationCommandOptionAttachment, required: true},
			},
			admin:  true,
			handle: (*Bot).cmdAdd,
		},
		{
			name: loc{"remove", "xóa"},
			desc: loc{"Remove an article from the collection", "Xóa một bài báo khỏi bộ sưu tập"},
			options: []option{
				{name: loc{"id", "mã"}, desc: loc{"The article: type part of its title", "Bài báo: gõ một phần tiêu đề"},
					typ: discordgo.ApplicationCommandOptionString, required: true, autocomplete: true},
			},
			admin:    true,
			handle:   (*Bot).cmdRemove,
			complete: (*Bot).completeArticle,
		},
		{
			name:    loc{"digest", "bản-tin"},
			desc:    loc{"Scheduled digests of new articles in channels", "Bản tin các bài mới, đăng vào kênh theo lịch"},
			options: digestOptions(), // digest.go
			admin:   true,
			handle:  (*Bot).cmdDigest,
		},
	}
}

// manageServer is the permission admin commands need.
const manageServer = int64(discordgo.PermissionManageGuild)

// definition is c as registered with Discord.
func (c command) definition() *discordgo.ApplicationCommand {
	contexts := []discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
	var perms *int64
	if c.admin {
		contexts = contexts[:1]
		p := manageServer
		perms = &p
	}
	install := []discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall}
	names, descs := c.name.viLocalization(), c.desc.viLocalization()
	def := &discordgo.ApplicationCommand{
		Type: discordgo.ChatApplicationCommand, Name: c.name.en, NameLocalizations: &names,
		Description: c.desc.en, DescriptionLocalizations: &descs,
		DefaultMemberPermissions: perms, Contexts: &contexts, IntegrationTypes: &install,
		Options: []*discordgo.ApplicationCommandOption{},
	}
	for _, o := range c.options {
		def.Options = append(def.Options, o.definition())
	}
	return def
}

// definition is o as registered with Discord, with a sub-command's options.
func (o option) definition() *discordgo.ApplicationCommandOption {
	def := &discordgo.ApplicationCommandOption{
		Type: o.typ, Name: o.name.en, NameLocalizations: o.name.viLocalization(),
		Description: o.desc.en, DescriptionLocalizations: o.desc.viLocalization(),
		Required: o.required, Autocomplete: o.autocomplete, MaxLength: o.maxLength, MinValue: o.minValue,
	}
	for _, sub := range o.options {
		def.Options = append(def.Options, sub.definition())
	}
	return def
}

// usage is how /help shows c in lang: "/ask question [private]", or with
// sub-commands "/digest subscribe|unsubscribe|list|preview|now".
func (c command) usage(lang messages.Lang) string {
	parts := []string{"/" + c.name.in(lang)}
	var subs []string
	for _, o := range c.options {
		if o.typ == discordgo.ApplicationCommandOptionSubCommand {
			subs = append(subs, o.name.in(lang))
			continue
		}
		if o.required {
			parts = append(parts, o.name.in(lang))
		} else {
			parts = append(parts, "["+o.name.in(lang)+"]")
		}
	}
	if len(subs) > 0 {
		parts = append(parts, strings.Join(subs, "|"))
	}
	return strings.Join(parts, " ")
}
