package cli

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

// hostileFile is one file of a hostile ingest batch: what it holds, and what
// becomes of it.
type hostileFile struct {
	name    string
	content []byte
	// fails is what the failure line of the file (or of a line of it)
	// says; "" when the file lands whole.
	fails []string
	// lands are the IDs of the articles it adds, and stored checks them.
	lands  []string
	stored func(t *testing.T, a retrieval.Article)
}

// hostileBatch is a folder of files people could drop into baobot, most of
// them broken or hostile. Each says what was tried.
func hostileBatch(t *testing.T) []hostileFile {
	t.Helper()
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	for i := range 200 {
		fmt.Fprintf(w, `{"id":"gz%03d","title":"Tin %d","body":"Nội dung bài báo số %d về kinh tế trong tuần."}`+"\n", i, i, i)
	}
	w.Close()
	truncated := gz.Bytes()[:gz.Len()/2]
	line := func(v map[string]any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	noControls := func(t *testing.T, a retrieval.Article) {
		for _, s := range []string{a.Title, a.Source, a.Summary, a.Body} {
			if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }); i >= 0 {
				t.Errorf("%s: a control character kept at %d of %q", a.ID, i, s)
			}
		}
	}
	return []hostileFile{
		{name: "good.txt", lands: []string{"good"},
			content: []byte("Lễ hội pháo hoa Đà Nẵng\nLễ hội pháo hoa quốc tế Đà Nẵng năm nay kéo dài ba tuần với tám đội tham gia.\n")},
		// Invalid UTF-8: refused, with the line and byte where it breaks.
		{name: "invalid-utf8.txt", fails: []string{"failed: invalid-utf8.txt: not UTF-8 text: invalid UTF-8 at line 3 (byte offset 36)"},
			content: append([]byte("Tin tức\nMột đoạn hợp lệ.\n"), 0xff, 0xfe, ' ', 'h', 0xc3, 0x28, '\n')},
		// A NUL byte: not text.
		{name: "nul.txt", fails: []string{"failed: nul.txt: not UTF-8 text: NUL byte at line 2"},
			content: []byte("Tin\nAbc\x00def\n")},
		// Control characters (BEL, SOH, terminal escape sequences, C1 CSI):
		// they land without them, so no listing can drive a terminal.
		{name: "control.txt", lands: []string{"control"}, stored: noControls,
			content: []byte("Điều khiển\a và thoát\x1b]0;pwned\a\nVăn bản có ký tự điều khiển \x01\x1b[31mđỏ\x1b[0m\u009b2J, tab\tvà\u200b khoảng trắng rộng bằng không.\r\n")},
		// Zalgo text: combining marks piled on letters land as they are.
		{name: "zalgo.txt", lands: []string{"zalgo"},
			content: []byte("Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇ tiêu đề\nVăn bản zalgo: b̷̢͠ã̴o̸ ̶l̵ũ̷ ̸ở̶ ̵H̷u̴ế̸ gây ngập nặng.\n")},
		// Right-to-left text, Arabic and Hebrew, with a bidi override.
		{name: "rtl.txt", lands: []string{"rtl"},
			content: []byte("مرحبا بالعالم\nهذا نص عربي عن الطقس في القاهرة والأمطار الغزيرة. שלום עולם, גשם כבד בתל אביב \u202eגשם.\n")},
		// Emoji only: nothing to search, but nothing wrong either.
		{name: "emoji.txt", lands: []string{"emoji"}, content: []byte("🙂🙂🙂\n🎉🎉 🔥🔥🔥\n")},
		// Mentions and Markdown in an article: stored as text (the bot
		// escapes them when it quotes, see bot/hostile_test.go).
		{name: "injection.md", lands: []string{"injection"}, stored: func(t *testing.T, a retrieval.Article) {
			if !strings.Contains(a.Body, "@everyone <@&123>") {
				t.Errorf("injection: body %q", a.Body)
			}
		}, content: []byte("---\ntitle: \"@everyone họp khẩn <@&123>\"\n---\n\nCâu lạc bộ cờ vua thông báo @everyone <@&123> <@456> họp ||bí mật|| tại phòng `A1`, xem [đây](javascript:alert(1)).\n")},
		// A javascript: URL in front matter: refused, never stored as a link.
		{name: "javascript-url.md", fails: []string{`failed: javascript-url.md: front matter: malformed: url "javascript:alert(1)" is not an absolute http(s) URL`},
			content: []byte("---\ntitle: Tin\nurl: javascript:alert(1)\n---\n\nMột bài báo có đường dẫn độc hại.\n")},
		// HTML with scripts and styles: only the article's text is kept.
		{name: "script.html", lands: []string{"script"}, stored: func(t *testing.T, a retrieval.Article) {
			for _, bad := range []string{"alert", "document.write", "injected", "color", "display"} {
				if strings.Contains(a.Title+a.Body, bad) {
					t.Errorf("script.html: %q kept: %q", bad, a.Body)
				}
			}
			if !strings.Contains(a.Body, "sơ tán") {
				t.Errorf("script.html: the text lost: %q", a.Body)
			}
		}, content: []byte(`<html><head><title>Bão số 3 đổ bộ</title><style>body{color:red}</style><script>alert('xss')</script></head>` +
			`<body><article><h1>Bão số 3 đổ bộ</h1><p>Bão số 3 đổ bộ vào các tỉnh miền Bắc, gây mưa lớn diện rộng và gió giật mạnh trong nhiều giờ liền.</p>` +
			`<script>document.write('injected')</script><p onclick="alert(2)">Hàng nghìn hộ dân đã được sơ tán đến nơi an toàn trước khi bão vào đất liền.</p>` +
			`<style>.x{display:none}</style></article></body></html>`)},
		// JSON Lines with broken lines among good ones: each bad line is
		// named, the good ones land.
		{name: "broken.jsonl", lands: []string{"j1", "j3"}, fails: []string{
			"failed: broken.jsonl:2: malformed: invalid JSON",
			"failed: broken.jsonl:4: malformed: invalid JSON",
			`failed: broken.jsonl:5: malformed: missing "body"`,
			"failed: broken.jsonl:6: malformed: want a JSON object, got a JSON array",
			`failed: broken.jsonl:7: malformed: id "a\x1b[2Jb" holds a control character`,
			"failed: broken.jsonl:8: not UTF-8 text: body holds a NUL character",
		}, content: []byte(strings.Join([]string{
			line(map[string]any{"id": "j1", "title": "Giá xăng giảm", "body": "Giá xăng RON95 giảm 500 đồng mỗi lít từ chiều nay."}),
			`{broken`,
			line(map[string]any{"id": "j3", "title": "Lãi suất", "body": "Ngân hàng giữ nguyên lãi suất điều hành."}),
			`not json at all`,
			line(map[string]any{"id": "j5", "title": "no body"}),
			`[1,2,3]`,
			line(map[string]any{"id": "a\x1b[2Jb", "body": "an escape sequence in an ID"}),
			`{"id":"j8","body":"a NUL \u0000 escaped in JSON"}`,
		}, "\n") + "\n")},
		// A gzip stream cut in the middle: the lines before the break land,
		// the break is named.
		// (Which lines land depends on where the stream was cut: the test
		// counts them.)
		{name: "truncated.jsonl.gz", fails: []string{"truncated or corrupt: the gzip stream ends early"}, content: truncated},
		// A file over ingest.max_file_bytes (8 KiB here): refused unread.
		{name: "huge.txt", fails: []string{"failed: huge.txt: too large: 23012 bytes, over the 8 KiB limit"},
			content: []byte("Tiêu đề\n" + strings.Repeat("Một câu rất dài. ", 1000))},
		// Empty files.
		{name: "empty.txt", fails: []string{"failed: empty.txt: no text: empty file"}, content: nil},
		{name: "empty.jsonl", fails: []string{"failed: empty.jsonl: no text: no JSON lines in the file"}, content: nil},
	}
}

// TestIngestHostileBatch ingests a folder of broken and hostile files in one
// batch: every bad file or line is named with its reason, everything else
// lands, the database passes `baobot check`, and what landed is clean.
func TestIngestHostileBatch(t *testing.T) {
	env := dbEnv(t)
	env["BAOBOT_DATABASE_SEED"] = "false"
	env["BAOBOT_INGEST_MAX_FILE_BYTES"] = "8192"
	dir := t.TempDir()
	files := hostileBatch(t)
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir) // failures are named relative to it
	out, errOut, code := run(t, env, "ingest", ".")

	// What landed: every file's articles, and some lines of the cut gzip.
	db, err := storage.Open(env["BAOBOT_DB"], storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	infos, _, err := db.List(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	gzLanded := 0
	for _, info := range infos {
		if strings.HasPrefix(info.ID, "gz") {
			gzLanded++
		}
	}
	wantAdded, wantFailed := gzLanded, 0
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			for _, want := range f.fails {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errOut)
				}
			}
			for _, id := range f.lands {
				a, err := db.Article(id)
				if err != nil {
					t.Errorf("%s did not land: %v", id, err)
					continue
				}
				if f.stored != nil {
					f.stored(t, a)
				}
			}
		})
		wantAdded += len(f.lands)
		wantFailed += len(f.fails)
	}
	db.Close()
	if gzLanded == 0 || gzLanded == 200 {
		t.Errorf("%d lines of the cut gzip landed", gzLanded)
	}
	if want := fmt.Sprintf("added %d, replaced 0, unchanged 0, failed %d\n", wantAdded, wantFailed); code != ExitFailure || out != want {
		t.Errorf("exit %d, %q; want exit 1 and %q\n%s", code, out, want, errOut)
	}
	if n := strings.Count(errOut, "failed: "); n != wantFailed {
		t.Errorf("%d failure lines, want %d:\n%s", n, wantFailed, errOut)
	}
	if out, _, code := run(t, env, "check"); code != ExitOK {
		t.Errorf("check after the batch: exit %d\n%s", code, out)
	}
}

// TestAskHostileQuestions asks what people type or paste: each question gets
// an answer or a clear message in the asker's language, never a Go error or
// a control character on the terminal.
func TestAskHostileQuestions(t *testing.T) {
	env := dbEnv(t)
	env["BAOBOT_DATABASE_SEED"] = "false"
	dir := t.TempDir()
	for _, f := range hostileBatch(t) {
		if len(f.lands) > 0 {
			os.WriteFile(filepath.Join(dir, f.name), f.content, 0o644)
		}
	}
	if out, errOut, _ := run(t, env, "ingest", dir); !strings.HasPrefix(out, "added 9,") {
		t.Fatalf("ingest: %s%s", out, errOut)
	}
	tests := []struct {
		name, question string
		code           int
		want           string // in stdout when 0, stderr otherwise
	}{
		{"invalid UTF-8 (the bad bytes are dropped)", "\xff\xfe giá xăng \xc3\x28 RON95", ExitOK, "RON95"},
		{"NUL and control characters", "giá\x00 xăng\a RON95\x1b[2J\u009b", ExitOK, "RON95"},
		{"100,000 characters", strings.Repeat("gia xang ", 11112)[:100000], ExitUsage, "quá dài"},
		{"zalgo", "b̷̢͠ã̴o̸ l̵ũ̷ ở Huế", ExitOK, "zalgo"},
		{"right-to-left", "الأمطار الغزيرة في القاهرة", ExitOK, "القاهرة"},
		{"a right-to-left override", "\u202eגשם כבד", ExitOK, "גשם"},
		{"emoji only", "🙂🙂🙂", ExitUsage, "không có chữ"},
		{"mentions and Markdown", "@everyone <@&123> `x` ||y|| [a](javascript:alert(1)) câu lạc bộ cờ vua", ExitOK, "cờ vua"},
		{"only punctuation and marks", "?!… ̷̢͠ ||``||", ExitUsage, "không có chữ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, env, "ask", "-k", "1", tt.question)
			got := out
			if tt.code != ExitOK {
				got = errOut
			}
			if code != tt.code || !strings.Contains(got, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, out, errOut, tt.code, tt.want)
			}
			for _, s := range []string{out, errOut} {
				if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }); i >= 0 {
					t.Errorf("a control character at %d of %q", i, s)
				}
				if strings.Contains(s, "goroutine") || strings.Contains(s, "%!") {
					t.Errorf("internals leak: %q", s)
				}
			}
			// The JSON answer is valid JSON whatever the question.
			out, _, code = run(t, env, "ask", "--json", "-k", "1", tt.question)
			if code == ExitOK && !json.Valid([]byte(out)) {
				t.Errorf("--json printed invalid JSON: %q", out)
			}
		})
	}
}
