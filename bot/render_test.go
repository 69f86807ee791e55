package bot

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/baobot/baobot/messages"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with what the renderers give now")

// golden compares the payload rep becomes (an interaction response's data,
// as sent) with testdata/name.golden, and checks that the renderer kept
// within Discord's limits by itself: the safety net must find nothing to cut.
func golden(t *testing.T, name string, rep reply) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep.response(discordgo.InteractionResponseChannelMessageWithSource).Data); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs from the rendering (go test ./bot -run %s -update rewrites it); got:\n%s", path, t.Name(), buf.Bytes())
	}
	if cut := withinLimits(rep); !reflect.DeepEqual(cut, rep) {
		t.Errorf("%s: the renderer left something over Discord's limits", name)
	}
}

var published = time.Date(2021, 10, 8, 9, 30, 0, 0, time.FixedZone("ICT", 7*3600))

var (
	motegi = retrieval.Article{
		ID: "vnexpress-4731", Title: "Ngoại trưởng Nhật điện đàm với Ngoại trưởng Mỹ", URL: "https://vnexpress.net/ngoai-truong-4731.html",
		Source: "VnExpress", Published: published, Language: "vi",
	}
	kishida = retrieval.Article{ID: "seed-001_kishida_biden_summit", Source: "baobot seed articles",
		Body: "Liên quan đến Triều Tiên, Thủ tướng Kishida bày tỏ mong muốn khởi động lại các cuộc đàm phán."}
	club = retrieval.Article{ID: "club", Title: "@everyone: *họp* [khẩn](https://evil.example)", Source: "CLB `cờ` vua", URL: "javascript:alert(1)"}
)

// result quotes snippet from a, marking the given words.
func result(a retrieval.Article, passage int, snippet string, words ...string) retrieval.Result {
	r := retrieval.Result{Article: a, Passage: passage, Snippet: snippet, Score: 1}
	for _, w := range words {
		for from := 0; ; {
			i := strings.Index(snippet[from:], w)
			if i < 0 {
				break
			}
			r.Marks = append(r.Marks, [2]int{from + i, from + i + len(w)})
			from += i + len(w)
		}
	}
	return r
}

func blinkenAnswer() retrieval.Answer {
	return retrieval.Answer{Question: "Ngoại trưởng Mỹ là ai?", Confident: true, Results: []retrieval.Result{
		result(motegi, 2, `Theo Bộ Ngoại giao Nhật Bản, Ngoại trưởng Toshimitsu Motegi khẳng định sẽ hợp tác chặt chẽ với người đồng cấp Mỹ Antony Blinken "dựa trên mối quan hệ tin cậy".`, "Ngoại trưởng", "Mỹ"),
		result(kishida, 4, "Nhật Bản dự kiến thành lập một trụ sở chung, đi đôi với việc Mỹ tăng cường chức năng của trụ sở chỉ huy tại Nhật Bản.", "Mỹ"),
	}}
}

func TestRenderAnswer(t *testing.T) {
	golden(t, "answer_vi", renderAnswer(blinkenAnswer(), page{shown: 42, more: true}, messages.Vietnamese))

	second := retrieval.Answer{Question: "Who is the US Secretary of State?", Confident: false, Results: blinkenAnswer().Results[1:]}
	golden(t, "answer_page2_en", renderAnswer(second, page{offset: 3, shown: 43}, messages.English))

	notConfident := blinkenAnswer()
	notConfident.Question, notConfident.Confident = "Giá vàng SJC hôm nay bao nhiêu?", false
	notConfident.Results = append(notConfident.Results, notConfident.Results[0]) // an article twice: listed once
	golden(t, "not_confident_en", renderAnswer(notConfident, page{}, messages.English))

	golden(t, "no_results_vi", renderAnswer(retrieval.Answer{Question: "xyzzy?"}, page{}, messages.Vietnamese))
	if rep := renderAnswer(retrieval.Answer{Question: "xyzzy?"}, page{offset: 3}, messages.English); rep.content != messages.Get(messages.English, messages.NoMoreResults) || !rep.ephemeral {
		t.Errorf("a page past the end: %+v", rep)
	}

	everyone := retrieval.Answer{Question: "@everyone họp khi nào? <@&1>", Confident: true, Results: []retrieval.Result{
		result(club, 1, "Ban chủ nhiệm nhắn @everyone và <@&1234>: buổi *họp* thường niên dời sang ||thứ bảy||, xem [lịch](https://x.y) # mới.", "họp", "thứ bảy"),
	}}
	golden(t, "markdown_everyone_vi", renderAnswer(everyone, page{shown: 7}, messages.Vietnamese))
}

func TestRenderLongAnswer(t *testing.T) {
	long := strings.Repeat("chữ ", 1200) + "Antony Blinken là Ngoại trưởng Mỹ " + strings.Repeat("và nhiều chữ nữa ", 300)
	title := strings.Repeat("Tiêu đề rất dài ", 30)
	var results []retrieval.Result
	for i := range 3 {
		a := motegi
		a.ID, a.Title, a.URL = "long-"+string(rune('a'+i)), title, "https://example.com/"+strings.Repeat("x", 250)
		results = append(results, result(a, i+1, long, "Antony Blinken", "Ngoại trưởng Mỹ"))
	}
	rep := renderAnswer(retrieval.Answer{Question: strings.Repeat("Ngoại trưởng Mỹ là ai? ", 60), Confident: true, Results: results}, page{shown: 1, more: true}, messages.Vietnamese)
	golden(t, "long_answer_vi", rep)
	if d := rep.embeds[0].Description; strings.Count(d, "**Antony Blinken**") != 3 {
		t.Errorf("a long quote lost its matched words:\n%s", d)
	}

	// As many results as a page may have, each as long: still within limits.
	many := make([]retrieval.Result, 25)
	for i := range many {
		many[i] = results[i%3]
	}
	rep = renderAnswer(retrieval.Answer{Question: "q", Confident: true, Results: many}, page{shown: 1}, messages.English)
	if cut := withinLimits(rep); !reflect.DeepEqual(cut, rep) {
		t.Error("25 long results go over Discord's limits")
	}
	if n := strings.Count(rep.embeds[0].Description, "\n\n> ") + 1; n != 25 {
		t.Errorf("%d of 25 results shown", n)
	}
	rep = renderSearch("q", many, nil, messages.English)
	if cut := withinLimits(rep); !reflect.DeepEqual(cut, rep) {
		t.Error("a search of long results goes over Discord's limits")
	}

	// The lines saying which words were read as others take their room
	// from the results, which all stay.
	words := []retrieval.Correction{{Typed: strings.Repeat("w", 50), Read: strings.Repeat("v", 50)}, {Typed: "Blinkin", Read: "Blinken"}, {Typed: "Motegy", Read: "Motegi"}}
	rep = renderAnswer(retrieval.Answer{Question: "q", Confident: true, Results: many, Corrections: words}, page{shown: 1}, messages.English)
	if cut := withinLimits(rep); !reflect.DeepEqual(cut, rep) {
		t.Error("25 long results and corrections go over Discord's limits")
	}
	if n := strings.Count(rep.embeds[0].Description, "\n\n> "); n != 25 {
		t.Errorf("with corrections, %d of 25 results shown", n)
	}
	rep = renderSearch("q", many, words, messages.English)
	if cut := withinLimits(rep); !reflect.DeepEqual(cut, rep) {
		t.Error("a search of long results and corrections goes over Discord's limits")
	}
	if d := rep.embeds[0].Description; !strings.HasPrefix(d, messages.Get(messages.English, messages.ReadAs, "Blinkin", "Blinken")) && !strings.Contains(d, "“Blinkin”") {
		t.Errorf("search: corrections not said: %q", d)
	}
}

func TestRenderSearch(t *testing.T) {
	golden(t, "search_vi", renderSearch("Ngoại trưởng", blinkenAnswer().Results, nil, messages.Vietnamese))
	golden(t, "search_none_en", renderSearch("xyzzy", nil, nil, messages.English))
}

func TestRenderArticles(t *testing.T) {
	infos := []storage.ArticleInfo{
		{ID: "vnexpress-4731", Title: motegi.Title, URL: motegi.URL, Source: "VnExpress", Published: published, Passages: 6},
		{ID: "seed-001_kishida_biden_summit", Source: "baobot seed articles", Passages: 9},
		{ID: "odd`id", Title: "*Tiêu đề* [có] ký tự đặc biệt", Passages: 1},
	}
	golden(t, "articles_vi", renderArticles(infos, 23, 1, 3, messages.Vietnamese))
	golden(t, "articles_empty_en", renderArticles(nil, 0, 1, 1, messages.English))

	a := motegi
	a.Summary = "Ngoại trưởng Nhật Bản Toshimitsu Motegi điện đàm với người đồng cấp Mỹ Antony Blinken."
	golden(t, "article_en", renderArticle(a, storage.ArticleInfo{Passages: 6}, messages.English))
	golden(t, "article_untitled_vi", renderArticle(kishida, storage.ArticleInfo{Passages: 9}, messages.Vietnamese))
}

func TestRenderHelpAbout(t *testing.T) {
	for _, lang := range []messages.Lang{messages.Vietnamese, messages.English} {
		var entries []helpEntry
		for _, c := range commandTable(1000) {
			entries = append(entries, helpEntry{usage: c.usage(lang), description: c.desc.in(lang)})
		}
		golden(t, "help_"+string(lang), renderHelp(entries, lang))
	}
	golden(t, "about_en", renderAbout(about{
		stats:    retrieval.Stats{Articles: 2, Passages: 15},
		feedback: storage.FeedbackCounts{Helpful: 3, NotHelpful: 1},
		version:  "v1.2.3", uptime: 26*time.Hour + 5*time.Minute,
	}, messages.English))
}

func TestWithinLimitsCutsWhatRenderersWouldNot(t *testing.T) {
	huge := strings.Repeat("x ", 5000)
	fields := make([]*discordgo.MessageEmbedField, 30)
	for i := range fields {
		fields[i] = &discordgo.MessageEmbedField{Name: huge, Value: huge}
	}
	rep := withinLimits(reply{
		content: huge,
		embeds:  []*discordgo.MessageEmbed{{Title: huge, Description: huge, Fields: fields, Footer: &discordgo.MessageEmbedFooter{Text: huge}}},
		components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: huge, CustomID: "ok"},
			discordgo.Button{Label: "long id", CustomID: strings.Repeat("i", 101)},
		}}},
	})
	e := rep.embeds[0]
	total := runes(e.Title) + runes(e.Description) + runes(e.Footer.Text)
	for _, f := range e.Fields {
		total += runes(f.Name) + runes(f.Value)
		if runes(f.Name) > maxFieldName || runes(f.Value) > maxFieldValue {
			t.Errorf("field of %d and %d", runes(f.Name), runes(f.Value))
		}
	}
	if runes(rep.content) > maxContent || runes(e.Title) > maxEmbedTitle || runes(e.Description) > maxDescription ||
		len(e.Fields) > maxFields || total > maxEmbedTotal {
		t.Errorf("content %d, title %d, description %d, %d fields, total %d", runes(rep.content), runes(e.Title), runes(e.Description), len(e.Fields), total)
	}
	row := rep.components[0].(discordgo.ActionsRow)
	if len(row.Components) != 1 || runes(row.Components[0].(discordgo.Button).Label) > maxLabel {
		t.Errorf("buttons %+v", row.Components)
	}
}

// A word read as another is said first, escaped and cut, in the
// confident answer and in the short not-confident reply alike.
func TestRenderCorrections(t *testing.T) {
	blinkin := []retrieval.Correction{{Typed: "Blinkin", Read: "Blinken"}}
	viLine := messages.Get(messages.Vietnamese, messages.ReadAs, "Blinkin", "Blinken")
	enLine := messages.Get(messages.English, messages.ReadAs, "Blinkin", "Blinken")

	ans := blinkenAnswer()
	ans.Question, ans.Corrections = "Ngoại trưởng Mỹ Blinkin là ai?", blinkin
	rep := renderAnswer(ans, page{shown: 42, more: true}, messages.Vietnamese)
	plain := renderAnswer(blinkenAnswer(), page{shown: 42, more: true}, messages.Vietnamese)
	if want := viLine + "\n\n" + plain.embeds[0].Description; rep.embeds[0].Description != want {
		t.Errorf("answer description:\n%s\nwant the correction, a blank line, then the results:\n%s", rep.embeds[0].Description, want)
	}
	if !reflect.DeepEqual(rep.components, plain.components) || rep.embeds[0].Footer.Text != plain.embeds[0].Footer.Text {
		t.Errorf("a correction changed the buttons or footer: %+v %q", rep.components, rep.embeds[0].Footer.Text)
	}
	if cut := withinLimits(rep); !reflect.DeepEqual(cut, rep) {
		t.Error("an answer with a correction goes over Discord's limits")
	}

	// Not confident: renderAnswer's first page and renderNotConfident.
	ans.Confident = false
	for name, rep := range map[string]reply{
		"renderAnswer":       renderAnswer(ans, page{}, messages.English),
		"renderNotConfident": renderNotConfident(ans, "Ngoại trưởng Mỹ Blinkin là ai?", messages.English),
	} {
		lines := strings.Split(rep.embeds[0].Description, "\n")
		if lines[0] != enLine || len(lines) < 2 || lines[1] != messages.Get(messages.English, messages.NotConfidentShort) {
			t.Errorf("%s, not confident: want the correction, then %q:\n%s", name, messages.Get(messages.English, messages.NotConfidentShort), rep.embeds[0].Description)
		}
		if strings.Count(rep.embeds[0].Description, "Blinkin") != 1 {
			t.Errorf("%s: the correction is not said once:\n%s", name, rep.embeds[0].Description)
		}
	}
	// Without corrections, nothing is said.
	nc := blinkenAnswer()
	nc.Confident = false
	if d := renderNotConfident(nc, "q", messages.English).embeds[0].Description; !strings.HasPrefix(d, messages.Get(messages.English, messages.NotConfidentShort)) {
		t.Errorf("not confident, no correction:\n%s", d)
	}

	// Several corrections: a line each, in order.
	ans = blinkenAnswer()
	ans.Corrections = []retrieval.Correction{{Typed: "Motegy", Read: "Motegi"}, {Typed: "Blinkin", Read: "Blinken"}}
	d := renderAnswer(ans, page{}, messages.English).embeds[0].Description
	if want := messages.Get(messages.English, messages.ReadAs, "Motegy", "Motegi") + "\n" + enLine + "\n\n> "; !strings.HasPrefix(d, want) {
		t.Errorf("two corrections:\n%s\nwant to start with:\n%s", d, want)
	}

	// The words are escaped, and a long one is cut.
	long := strings.Repeat("w", 200)
	ans.Corrections = []retrieval.Correction{{Typed: "*x_y*", Read: "@everyone"}, {Typed: long, Read: "`z`"}}
	for _, confident := range []bool{true, false} {
		ans.Confident = confident
		d := renderAnswer(ans, page{}, messages.English).embeds[0].Description
		first := strings.SplitN(d, "\n", 3)
		if len(first) < 3 {
			t.Fatalf("confident=%v: %q", confident, d)
		}
		if want := messages.Get(messages.English, messages.ReadAs, `\*x\_y\*`, `\@everyone`); first[0] != want {
			t.Errorf("confident=%v: correction line %q, want %q", confident, first[0], want)
		}
		if strings.Contains(first[0], "*x_y*") {
			t.Errorf("confident=%v: Markdown of the typed word left as is: %q", confident, first[0])
		}
		if strings.Contains(first[1], long) || !strings.Contains(first[1], strings.Repeat("w", 30)) || !strings.Contains(first[1], "“\\`z\\`”") {
			t.Errorf("confident=%v: a 200-letter word is not cut, or the read word not escaped: %q", confident, first[1])
		}
	}
}
